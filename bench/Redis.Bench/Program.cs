using System.Diagnostics;
using System.Globalization;
using MlAspire.Redis;

// Measures the client the way redis-benchmark measures the server: same key, same 3-byte value, same number of
// connections and the same number of commands in flight per connection. Prints CSV: name,value.
// Two throughput modes, both with `pipeline` commands in flight per connection:
//   concurrent (SET, GET):  `pipeline` independent callers per connection, each awaiting one command at a time;
//   pipelined (SET_P, GET_P): one caller per connection issues `pipeline` commands without awaiting each, then awaits
//                             all of them, and repeats (how users pipeline with StackExchange.Redis);
//   batched (SET_B, GET_B):   one caller per connection queues `pipeline` commands on a RedisBatch and sends it, so
//                             they leave in one write (what redis-benchmark -P does), and repeats.
// And a floor that is not our client (RAW_SET, RAW_GET): the same commands, encoded once, written `pipeline` at a time
// per connection over a plain .NET Socket (SendAsync, then ReceiveAsync until the known reply bytes are in, without
// parsing them): what .NET's own sockets and async machinery cost, with no client work at all.
// And a second floor (RAW_LOOP_SET, RAW_LOOP_GET): the same sockets served by one dedicated thread with blocking
// calls, as redis-benchmark's single-threaded loop does: each round writes every connection's burst, then reads every
// connection's replies; no epoll thread, thread pool or task in between.
// *_BYTES_PER_OP: bytes allocated by the whole process per command (GC.GetTotalAllocatedBytes), all threads.
// *_CPU_US_PER_OP: process CPU time (user + system, all threads) per command; less sensitive to other load than ops/s.
// *_SWITCHES_PER_OP: context switches (voluntary and involuntary, all threads) per command: thread hand-offs.
var port = Arg("--port", 6379);
var connections = Arg("--connections", 4);
var pipeline = Arg("--pipeline", 16);
var requests = Arg("--requests", 200_000);
var latencyRequests = Arg("--latency-requests", 20_000);

// --server-pid N: also report the server's CPU time per command (from /proc/N/stat), so that a run can be checked
// against the machine's cores: client + server CPU per command, times ops/s, is how busy the cores were.
var serverPid = Arg("--server-pid", 0);
var clockTicksPerSecond = Arg("--clock-ticks", 100); // getconf CLK_TCK

// --only batched|pipelined|concurrent|raw measures one mode (for profiling it alone).
var only = ArgText("--only");
if (only is not (null or "concurrent" or "pipelined" or "batched" or "raw"))
{
    throw new ArgumentException($"--only takes concurrent, pipelined, batched or raw, not '{only}'.");
}

var endpoint = $"127.0.0.1:{port},protocol=resp2";
var clients = new RedisClient[connections];
for (var i = 0; i < clients.Length; i++)
{
    clients[i] = await RedisClient.ConnectAsync(endpoint);
}

const string Key = "key:__rand_int__";
RedisValue value = "xxx";
Func<RedisClient, Task> set = c => c.StringSetAsync(Key, value);
Func<RedisClient, Task> get = c => c.StringGetAsync(Key);
Func<RedisBatch, Task> batchSet = b => b.StringSetAsync(Key, value);
Func<RedisBatch, Task> batchGet = b => b.StringGetAsync(Key);

// Warm-up: JIT, tiered compilation, pooled buffers; with --only, of the measured mode alone (so a profile shows it).
foreach (var command in new[] { set, get })
{
    if (only is null or "concurrent")
    {
        await Concurrent(command, requests / 4);
    }

    if (only is null or "pipelined")
    {
        await Pipelined(command, requests / 4);
    }
}

foreach (var command in new[] { batchSet, batchGet })
{
    if (only is null or "batched")
    {
        await Batched(command, requests / 4);
    }
}

if (only is null or "concurrent")
{
    Report("SET", await Measure(n => Concurrent(set, n)));
    Report("GET", await Measure(n => Concurrent(get, n)));
}

if (only is null or "pipelined")
{
    Report("SET_P", await Measure(n => Pipelined(set, n)));
    Report("GET_P", await Measure(n => Pipelined(get, n)));
}

if (only is null or "batched")
{
    Report("SET_B", await Measure(n => Batched(batchSet, n)));
    Report("GET_B", await Measure(n => Batched(batchGet, n)));
}

if (only is null or "raw")
{
    // GET's reply is "$3\r\nxxx\r\n" only while the key holds the 3-byte value, which every SET above wrote.
    var rawSet = (Command: RawCommand("SET", Key, "xxx"), Reply: "+OK\r\n"u8.ToArray());
    var rawGet = (Command: RawCommand("GET", Key), Reply: "$3\r\nxxx\r\n"u8.ToArray());
    await Raw(rawSet.Command, rawSet.Reply, requests / 4);
    await Raw(rawGet.Command, rawGet.Reply, requests / 4);
    Report("RAW_SET", await Measure(n => Raw(rawSet.Command, rawSet.Reply, n)));
    Report("RAW_GET", await Measure(n => Raw(rawGet.Command, rawGet.Reply, n)));
    await RawLoop(rawSet.Command, rawSet.Reply, requests / 4);
    await RawLoop(rawGet.Command, rawGet.Reply, requests / 4);
    Report("RAW_LOOP_SET", await Measure(n => RawLoop(rawSet.Command, rawSet.Reply, n)));
    Report("RAW_LOOP_GET", await Measure(n => RawLoop(rawGet.Command, rawGet.Reply, n)));
}

// Latency: one connection, one command at a time.
var single = clients[0];
var samples = new double[latencyRequests];
for (var i = 0; i < 2_000; i++)
{
    await single.StringGetAsync(Key);
}

var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
for (var i = 0; i < samples.Length; i++)
{
    var started = Stopwatch.GetTimestamp();
    await single.StringGetAsync(Key);
    samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

var latencyBytes = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / (double)samples.Length;
Array.Sort(samples);
Console.WriteLine($"GET_P1_P50_MS,{samples[samples.Length / 2].ToString("F4", CultureInfo.InvariantCulture)}");
Console.WriteLine($"GET_P1_P99_MS,{samples[(int)(samples.Length * 0.99)].ToString("F4", CultureInfo.InvariantCulture)}");
Console.WriteLine($"GET_P1_BYTES_PER_OP,{latencyBytes.ToString("F0", CultureInfo.InvariantCulture)}");

foreach (var client in clients)
{
    await client.DisposeAsync();
}

void Report(string name, Result result)
{
    Console.WriteLine($"{name},{result.Rps.ToString("F0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"{name}_BYTES_PER_OP,{result.BytesPerOp.ToString("F0", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"{name}_CPU_US_PER_OP,{result.CpuUsPerOp.ToString("F2", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"{name}_SWITCHES_PER_OP,{result.SwitchesPerOp.ToString("F3", CultureInfo.InvariantCulture)}");
    if (serverPid > 0)
    {
        Console.WriteLine($"{name}_SERVER_CPU_US_PER_OP,{result.ServerCpuUsPerOp.ToString("F2", CultureInfo.InvariantCulture)}");
    }
}

async Task<Result> Measure(Func<int, Task> run)
{
    using var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var switches = ContextSwitches();
    var serverCpu = ServerCpu();
    var allocated = GC.GetTotalAllocatedBytes(precise: false);
    var started = Stopwatch.GetTimestamp();
    await run(requests);
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    process.Refresh();
    return new Result(
        requests / seconds,
        (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)requests,
        (process.TotalProcessorTime - cpu).TotalMicroseconds / requests,
        (ContextSwitches() - switches) / (double)requests,
        (ServerCpu() - serverCpu).TotalMicroseconds / requests);
}

// The server's CPU time so far (user + system, fields 14 and 15 of /proc/N/stat, in clock ticks, 10 ms each on most
// kernels: a run of a second or more keeps the rounding under a few percent); zero without --server-pid.
TimeSpan ServerCpu()
{
    if (serverPid <= 0)
    {
        return TimeSpan.Zero;
    }

    var stat = File.ReadAllText($"/proc/{serverPid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    return TimeSpan.FromSeconds(ticks / (double)clockTicksPerSecond);
}

// Context switches (voluntary and involuntary) of this process so far, every thread's including those that have
// exited, from getrusage(RUSAGE_SELF): how often its threads went to sleep or were preempted.
static long ContextSwitches()
{
    // struct rusage on 64-bit Linux: two timevals (4 longs), then 14 longs; ru_nvcsw and ru_nivcsw are the last two.
    var usage = new long[18];
    if (NativeMethods.GetResourceUsage(0, usage) != 0)
    {
        throw new InvalidOperationException("getrusage(RUSAGE_SELF) failed.");
    }

    return usage[16] + usage[17];
}

async Task Concurrent(Func<RedisClient, Task> command, int total)
{
    var remaining = total;
    var workers = new List<Task>();
    foreach (var client in clients)
    {
        for (var p = 0; p < pipeline; p++)
        {
            workers.Add(Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await command(client);
                }
            }));
        }
    }

    await Task.WhenAll(workers);
}

async Task Pipelined(Func<RedisClient, Task> command, int total)
{
    var remaining = total;
    var workers = new List<Task>();
    foreach (var client in clients)
    {
        workers.Add(Task.Run(async () =>
        {
            var burst = new Task[pipeline];
            while (true)
            {
                var count = 0;
                while (count < burst.Length && Interlocked.Decrement(ref remaining) >= 0)
                {
                    burst[count++] = command(client);
                }

                if (count == 0)
                {
                    return;
                }

                await Task.WhenAll(count == burst.Length ? burst : burst[..count]);
            }
        }));
    }

    await Task.WhenAll(workers);
}

async Task Batched(Func<RedisBatch, Task> command, int total)
{
    var remaining = total;
    var workers = new List<Task>();
    foreach (var client in clients)
    {
        workers.Add(Task.Run(async () =>
        {
            while (true)
            {
                var batch = client.CreateBatch();
                while (batch.Count < pipeline && Interlocked.Decrement(ref remaining) >= 0)
                {
                    _ = command(batch);
                }

                if (batch.Count == 0)
                {
                    return;
                }

                await batch.SendAsync(); // throws the first failure, if any
            }
        }));
    }

    await Task.WhenAll(workers);
}

// `connections` sockets of its own (as many as the clients above), each writing `pipeline` copies of the command and
// then reading exactly their replies' bytes (never more: each receive asks for what is still missing). The first
// reply of each connection is checked byte for byte, so a floor that got error replies fails loudly instead.
async Task Raw(byte[] command, byte[] reply, int total)
{
    var burst = Burst(command);
    var remaining = total;
    var workers = new List<Task>();
    for (var c = 0; c < connections; c++)
    {
        workers.Add(Task.Run(async () =>
        {
            using var socket = new System.Net.Sockets.Socket(
                System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var received = new byte[pipeline * reply.Length];
            var checkedFirst = false;
            while (true)
            {
                var count = Math.Min(pipeline, Interlocked.Add(ref remaining, -pipeline) + pipeline);
                if (count <= 0)
                {
                    return;
                }

                await socket.SendAsync(burst.AsMemory(0, count * command.Length), System.Net.Sockets.SocketFlags.None);
                var expected = count * reply.Length;
                var got = 0;
                while (got < expected)
                {
                    var n = await socket.ReceiveAsync(received.AsMemory(got, expected - got), System.Net.Sockets.SocketFlags.None);
                    if (n == 0)
                    {
                        throw new InvalidOperationException("The server closed the raw connection.");
                    }

                    if (!checkedFirst && got == 0 && n >= reply.Length)
                    {
                        CheckFirstReply(received, n, reply);
                        checkedFirst = true;
                    }

                    got += n;
                }
            }
        }));
    }

    await Task.WhenAll(workers);
}

// `connections` blocking sockets served in turn by one thread of its own: write each connection's burst, then read each
// connection's replies (exactly their bytes), and repeat. The first reply of each connection is checked as in Raw.
Task RawLoop(byte[] command, byte[] reply, int total) => Task.Factory.StartNew(() =>
{
    var burst = Burst(command);
    var sockets = new System.Net.Sockets.Socket[connections];
    var received = new byte[pipeline * reply.Length];
    try
    {
        for (var c = 0; c < sockets.Length; c++)
        {
            sockets[c] = new(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            sockets[c].Connect(System.Net.IPAddress.Loopback, port);
        }

        var checkedFirst = new bool[sockets.Length];
        var counts = new int[sockets.Length];
        for (var remaining = total; remaining > 0;)
        {
            for (var c = 0; c < sockets.Length; c++)
            {
                counts[c] = Math.Min(pipeline, Math.Max(remaining, 0));
                remaining -= counts[c];
                if (counts[c] > 0)
                {
                    sockets[c].Send(burst.AsSpan(0, counts[c] * command.Length));
                }
            }

            for (var c = 0; c < sockets.Length; c++)
            {
                var expected = counts[c] * reply.Length;
                for (var got = 0; got < expected;)
                {
                    var n = sockets[c].Receive(received.AsSpan(got, expected - got));
                    if (n == 0)
                    {
                        throw new InvalidOperationException("The server closed the raw connection.");
                    }

                    got += n;
                }

                if (expected > 0 && !checkedFirst[c])
                {
                    CheckFirstReply(received, expected, reply);
                    checkedFirst[c] = true;
                }
            }
        }
    }
    finally
    {
        foreach (var socket in sockets)
        {
            socket?.Dispose();
        }
    }
}, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

// `pipeline` copies of one encoded command, back to back: what one write of a burst sends.
byte[] Burst(byte[] command)
{
    var burst = new byte[command.Length * pipeline];
    for (var i = 0; i < pipeline; i++)
    {
        command.CopyTo(burst, i * command.Length);
    }

    return burst;
}

// A floor that got error replies must fail loudly: the first `received` bytes (at least one reply's) must be `reply`.
static void CheckFirstReply(byte[] received, int count, byte[] reply)
{
    if (!received.AsSpan(0, reply.Length).SequenceEqual(reply))
    {
        throw new InvalidOperationException(
            $"Unexpected raw reply: {System.Text.Encoding.ASCII.GetString(received, 0, Math.Min(count, 64))}");
    }
}

static byte[] RawCommand(params string[] parts)
{
    var text = new System.Text.StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
    foreach (var part in parts)
    {
        text.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
    }

    return System.Text.Encoding.UTF8.GetBytes(text.ToString());
}

int Arg(string name, int fallback) => ArgText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? ArgText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

/// <summary>What one measured run cost, per command (see the header for each figure).</summary>
internal readonly record struct Result(double Rps, double BytesPerOp, double CpuUsPerOp, double SwitchesPerOp, double ServerCpuUsPerOp);

internal static partial class NativeMethods
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
    internal static partial int GetResourceUsage(int who, [System.Runtime.InteropServices.Out] long[] usage);
}
