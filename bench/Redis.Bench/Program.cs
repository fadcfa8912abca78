using System.Diagnostics;
using System.Globalization;
using MlAspire.Redis;

// Measures the client the way redis-benchmark measures the server: same key, same 3-byte value, same number of
// connections and the same number of commands in flight per connection. Prints CSV: name,value.
var port = Arg("--port", 6379);
var connections = Arg("--connections", 4);
var pipeline = Arg("--pipeline", 16);
var requests = Arg("--requests", 200_000);
var latencyRequests = Arg("--latency-requests", 20_000);

var endpoint = $"127.0.0.1:{port},protocol=resp2";
var clients = new RedisClient[connections];
for (var i = 0; i < clients.Length; i++)
{
    clients[i] = await RedisClient.ConnectAsync(endpoint);
}

const string Key = "key:__rand_int__";
RedisValue value = "xxx";

// Warm-up: JIT, tiered compilation, pooled buffers.
await Throughput(static (c, k, v) => c.StringSetAsync(k, v), requests / 4);
await Throughput(static (c, k, _) => c.StringGetAsync(k), requests / 4);

var setRps = await Throughput(static (c, k, v) => c.StringSetAsync(k, v), requests);
var getRps = await Throughput(static (c, k, _) => c.StringGetAsync(k), requests);
Console.WriteLine($"SET,{setRps.ToString("F0", CultureInfo.InvariantCulture)}");
Console.WriteLine($"GET,{getRps.ToString("F0", CultureInfo.InvariantCulture)}");

// Latency: one connection, one command at a time.
var single = clients[0];
var samples = new double[latencyRequests];
for (var i = 0; i < 2_000; i++)
{
    await single.StringGetAsync(Key);
}

for (var i = 0; i < samples.Length; i++)
{
    var started = Stopwatch.GetTimestamp();
    await single.StringGetAsync(Key);
    samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

Array.Sort(samples);
Console.WriteLine($"GET_P1_P50_MS,{samples[samples.Length / 2].ToString("F4", CultureInfo.InvariantCulture)}");
Console.WriteLine($"GET_P1_P99_MS,{samples[(int)(samples.Length * 0.99)].ToString("F4", CultureInfo.InvariantCulture)}");

foreach (var client in clients)
{
    await client.DisposeAsync();
}

async Task<double> Throughput(Func<RedisClient, string, RedisValue, Task> command, int total)
{
    var remaining = total;
    var started = Stopwatch.GetTimestamp();
    var workers = new List<Task>();
    foreach (var client in clients)
    {
        for (var p = 0; p < pipeline; p++)
        {
            workers.Add(Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await command(client, Key, value);
                }
            }));
        }
    }

    await Task.WhenAll(workers);
    return total / Stopwatch.GetElapsedTime(started).TotalSeconds;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
