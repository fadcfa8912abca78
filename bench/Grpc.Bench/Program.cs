using System.Diagnostics;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Net.Client;
using MlAspire.Grpc.Bench;

// Modes:
//   frame FILE                       write the request body h2load sends (one framed BytesValue of 32 bytes)
//   serve                            Kestrel h2c on 127.0.0.1:0 with /bench.Bench/Echo (gRPC), /plain/echo (a minimal
//                                    endpoint echoing the same bytes) and /plain/trailer (the same plus one trailer,
//                                    the HTTP/2 cost gRPC's status trailer adds); prints the port, stops on stdin EOF
//   client URL SECONDS CONCURRENCY   Grpc.Net.Client's unary throughput against URL
var payload = new BytesValue { Value = ByteString.CopyFrom(new byte[32]) };
switch (args.FirstOrDefault())
{
    case "frame":
    {
        var frame = new byte[5 + payload.CalculateSize()];
        frame[4] = (byte)(frame.Length - 5);
        payload.WriteTo(frame.AsSpan(5));
        await File.WriteAllBytesAsync(args[1], frame);
        return 0;
    }

    case "serve":
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<BenchService>();
        app.MapPost("/plain/echo", PlainEcho);
        app.MapPost("/plain/trailer", async context =>
        {
            await PlainEcho(context);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine(new Uri(address).Port.ToString(CultureInfo.InvariantCulture));
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    case "client":
    {
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var channel = GrpcChannel.ForAddress(args[1]);
        var client = new Bench.BenchClient(channel);
        for (var i = 0; i < 200; i++)
        {
            await client.EchoAsync(payload);
        }

        long calls = 0;
        var stopwatch = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stopwatch.Elapsed < until)
            {
                await client.EchoAsync(payload);
                Interlocked.Increment(ref calls);
            }
        });
        await Task.WhenAll(workers);
        var rate = calls / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"client calls={calls} seconds={stopwatch.Elapsed.TotalSeconds:F2} req/s={rate:F0}"));
        return 0;
    }

    default:
        Console.Error.WriteLine("usage: frame FILE | serve | client URL SECONDS CONCURRENCY");
        return 2;
}

// The baseline: read the whole request body and write it back with the gRPC content type (no framing, protobuf,
// deadlines or trailers), so the difference is what Grpc.AspNetCore adds per call.
static async Task PlainEcho(HttpContext context)
{
    var reader = context.Request.BodyReader;
    while (true)
    {
        var result = await reader.ReadAsync();
        if (result.IsCompleted)
        {
            context.Response.ContentType = "application/grpc";
            foreach (var segment in result.Buffer)
            {
                await context.Response.BodyWriter.WriteAsync(segment);
            }

            reader.AdvanceTo(result.Buffer.End);
            return;
        }

        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
    }
}
