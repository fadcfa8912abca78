using Microsoft.Extensions.Configuration;

namespace MlAspire.Grpc.Tests.Client;

public sealed class GrpcChannelConfigurationTests
{
    [Fact]
    public void ChannelTakesEveryDiscoveredAddressInOrder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:inference:grpc:1"] = "http://127.0.0.1:5002",
            ["services:inference:grpc:0"] = "http://127.0.0.1:5001",
            ["services:inference:http:0"] = "http://127.0.0.1:8080",
        }).Build();
        using var channel = configuration.CreateGrpcChannel("inference");
        Assert.Equal([new Uri("http://127.0.0.1:5001"), new Uri("http://127.0.0.1:5002")], channel.Addresses);
    }

    [Fact]
    public void MissingOrBadAddressesFailNamingTheKey()
    {
        var empty = new ConfigurationBuilder().Build();
        var missing = Assert.Throws<InvalidOperationException>(() => empty.CreateGrpcChannel("inference"));
        Assert.Contains("services__inference__grpc__0", missing.Message);

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:inference:grpc:0"] = "not a uri",
        }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => bad.CreateGrpcChannel("inference"));
        Assert.Contains("services:inference:grpc:0", ex.Message);
    }
}
