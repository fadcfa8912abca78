using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlAspire.Redis.Tests;

public sealed class RedisTlsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-redis-tls-").FullName;
    private X509Certificate2 _certificate = null!;
    private RedisServer _server = null!;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var certFile = Path.Combine(_directory, "cert.pem");
        var keyFile = Path.Combine(_directory, "key.pem");
        await File.WriteAllTextAsync(certFile, _certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

        // TLS only: the plain port is off and the probed port becomes the TLS port.
        _server = await RedisServer.StartAsync(port =>
            ["--port", "0", "--tls-port", port.ToString(), "--tls-cert-file", certFile, "--tls-key-file", keyFile, "--tls-auth-clients", "no"]);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("resp2")]
    [InlineData("resp3")]
    public async Task TlsConnectionWorksWhenTheCertificateIsTrusted(string protocol)
    {
        var ct = TestTimeout.Token();
        var options = RedisOptions.Parse($"{_server.Endpoint},ssl=true,sslHost=localhost,protocol={protocol}");
        options.CertificateValidation = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString();
        await using var client = await RedisClient.ConnectAsync(options, ct);
        await client.StringSetAsync("tls", "secured", cancellationToken: ct);
        Assert.Equal("secured", (await client.StringGetAsync("tls", ct)).ToString());
        await using var subscription = await client.Subscriber.SubscribeAsync("tls-events", ct);
        await client.PublishAsync("tls-events", "hello", ct);
        Assert.Equal("hello", (await subscription.Reader.ReadAsync(ct)).Message.ToString());
    }

    [Fact]
    public async Task UntrustedCertificateFailsToConnect()
    {
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisClient.ConnectAsync($"{_server.Endpoint},ssl=true,sslHost=localhost,connectTimeout=3000", TestTimeout.Token()));
        Assert.Contains(_server.Endpoint, ex.Message, StringComparison.Ordinal);
    }
}
