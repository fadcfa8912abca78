using System.Globalization;

namespace MlAspire.Redis;

public sealed partial class RedisClient
{
    /// <summary>
    /// <c>XADD key [MAXLEN ~ n] id field value...</c>: the id of the new entry. <paramref name="maxLength"/> trims the
    /// stream (approximately, with <c>~</c>, unless <paramref name="approximateTrim"/> is false).
    /// </summary>
    public async Task<string> StreamAddAsync(
        string key,
        IReadOnlyList<RedisEntry> fields,
        string id = "*",
        long? maxLength = null,
        bool approximateTrim = true,
        CancellationToken cancellationToken = default)
    {
        if (fields.Count == 0)
        {
            throw new ArgumentException("A stream entry needs at least one field.", nameof(fields));
        }

        var args = new List<RedisValue>(4 + (fields.Count * 2)) { key };
        if (maxLength is long max)
        {
            args.Add("MAXLEN");
            if (approximateTrim)
            {
                args.Add("~");
            }

            args.Add(max);
        }

        args.Add(id);
        foreach (var field in fields)
        {
            args.Add(field.Name);
            args.Add(field.Value);
        }

        var result = await ExecuteCoreAsync("XADD", [.. args], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return result.AsString()!;
    }

    /// <summary>
    /// <c>XGROUP CREATE key group startId [MKSTREAM]</c>: true when created, false when the group already existed (BUSYGROUP).
    /// </summary>
    public async Task<bool> StreamCreateGroupAsync(
        string key, string group, string startId = "$", bool createStream = true, CancellationToken cancellationToken = default)
    {
        RedisValue[] args = createStream ? ["CREATE", key, group, startId, "MKSTREAM"] : ["CREATE", key, group, startId];
        try
        {
            await ExecuteCoreAsync("XGROUP", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RedisServerException ex) when (ex.Prefix == "BUSYGROUP")
        {
            return false;
        }
    }

    /// <summary>
    /// <c>XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key id</c>. With <paramref name="block"/>
    /// the command runs on a dedicated connection so it never holds up other commands; an empty list means it timed out.
    /// <paramref name="id"/> <c>&gt;</c> reads new entries, <c>0</c> re-reads this consumer's pending ones.
    /// </summary>
    public async Task<IReadOnlyList<StreamEntry>> StreamReadGroupAsync(
        string key,
        string group,
        string consumer,
        string id = ">",
        int? count = null,
        TimeSpan? block = null,
        bool noAck = false,
        CancellationToken cancellationToken = default)
    {
        var args = new List<RedisValue>(12) { "GROUP", group, consumer };
        if (count is int n)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(count));
            args.Add("COUNT");
            args.Add(n);
        }

        if (block is TimeSpan wait)
        {
            args.Add("BLOCK");
            args.Add((long)wait.TotalMilliseconds);
        }

        if (noAck)
        {
            args.Add("NOACK");
        }

        args.Add("STREAMS");
        args.Add(key);
        args.Add(id);
        var result = block is TimeSpan blockTime
            ? await ExecuteOnDedicatedAsync("XREADGROUP", [.. args], blockTime == TimeSpan.Zero ? TimeSpan.FromDays(1) : blockTime, cancellationToken).ConfigureAwait(false)
            : await ExecuteCoreAsync("XREADGROUP", [.. args], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return ReadStreamsReply(result, key);
    }

    /// <summary><c>XACK key group id...</c>: how many entries were acknowledged.</summary>
    public async Task<long> StreamAcknowledgeAsync(string key, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[ids.Count + 2];
        args[0] = key;
        args[1] = group;
        Keys(ids).CopyTo(args, 2);
        return (await ExecuteCoreAsync("XACK", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>
    /// <c>XAUTOCLAIM key group consumer min-idle start [COUNT n]</c>: takes over entries idle for at least
    /// <paramref name="minIdle"/>.
    /// </summary>
    public async Task<StreamAutoClaimResult> StreamAutoClaimAsync(
        string key, string group, string consumer, TimeSpan minIdle, string startId = "0-0", int? count = null,
        CancellationToken cancellationToken = default)
    {
        RedisValue[] args = count is int n
            ? [key, group, consumer, (long)minIdle.TotalMilliseconds, startId, "COUNT", n]
            : [key, group, consumer, (long)minIdle.TotalMilliseconds, startId];
        var result = await ExecuteCoreAsync("XAUTOCLAIM", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var items = result.ItemsArray;
        if (items.Length < 2)
        {
            throw new RedisProtocolException($"XAUTOCLAIM returned {items.Length} items, expected 2 or 3.");
        }

        var deleted = items.Length > 2 ? Array.ConvertAll(items[2].ItemsArray, static r => r.AsString()!) : [];
        return new StreamAutoClaimResult(items[0].AsString()!, ReadEntries(items[1]), deleted);
    }

    /// <summary>
    /// <c>XCLAIM key group consumer min-idle id... JUSTID</c>: makes <paramref name="consumer"/> the owner of those pending
    /// entries that have been idle for at least <paramref name="minIdle"/> and resets their idle time, without counting
    /// a delivery; returns the ids it claimed (entries no longer pending are skipped). A consumer that claims its own
    /// entries with a zero <paramref name="minIdle"/> tells the group that it is still working on them.
    /// </summary>
    public async Task<IReadOnlyList<string>> StreamClaimIdsAsync(
        string key, string group, string consumer, TimeSpan minIdle, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[ids.Count + 5];
        args[0] = key;
        args[1] = group;
        args[2] = consumer;
        args[3] = (long)minIdle.TotalMilliseconds;
        Keys(ids).CopyTo(args, 4);
        args[^1] = "JUSTID";
        var result = await ExecuteCoreAsync("XCLAIM", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(result.ItemsArray, static r => r.AsString()!);
    }

    /// <summary><c>XPENDING key group</c> (summary form).</summary>
    public async Task<StreamPendingSummary> StreamPendingAsync(string key, string group, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("XPENDING", [key, group], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var items = result.ItemsArray;
        if (items.Length != 4)
        {
            throw new RedisProtocolException($"XPENDING returned {items.Length} items, expected 4.");
        }

        var consumers = new List<KeyValuePair<string, long>>();
        foreach (var row in items[3].ItemsArray)
        {
            consumers.Add(new(row.ItemsArray[0].AsString()!, row.ItemsArray[1].AsInt64()));
        }

        return new StreamPendingSummary(items[0].AsInt64(), items[1].AsString(), items[2].AsString(), consumers);
    }

    /// <summary><c>XPENDING key group [IDLE ms] start end count [consumer]</c> (extended form).</summary>
    public async Task<IReadOnlyList<StreamPendingEntry>> StreamPendingRangeAsync(
        string key, string group, int count, string start = "-", string end = "+", string? consumer = null, TimeSpan? minIdle = null,
        CancellationToken cancellationToken = default)
    {
        var args = new List<RedisValue> { key, group };
        if (minIdle is TimeSpan idle)
        {
            args.Add("IDLE");
            args.Add((long)idle.TotalMilliseconds);
        }

        args.Add(start);
        args.Add(end);
        args.Add(count);
        if (consumer is not null)
        {
            args.Add(consumer);
        }

        var result = await ExecuteCoreAsync("XPENDING", [.. args], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var rows = new List<StreamPendingEntry>(result.ItemsArray.Length);
        foreach (var row in result.ItemsArray)
        {
            var cells = row.ItemsArray;
            rows.Add(new StreamPendingEntry(
                cells[0].AsString()!, cells[1].AsString()!, TimeSpan.FromMilliseconds(cells[2].AsInt64()), cells[3].AsInt64()));
        }

        return rows;
    }

    /// <summary><c>XINFO STREAM key</c>.</summary>
    public async Task<StreamInfo> StreamInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("XINFO", ["STREAM", key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        long length = 0, keys = 0, nodes = 0, groups = 0;
        string lastId = string.Empty;
        StreamEntry? first = null, last = null;
        foreach (var (name, value) in result.AsPairs())
        {
            switch (name.AsString())
            {
                case "length": length = value.AsInt64(); break;
                case "radix-tree-keys": keys = value.AsInt64(); break;
                case "radix-tree-nodes": nodes = value.AsInt64(); break;
                case "groups": groups = value.AsInt64(); break;
                case "last-generated-id": lastId = value.AsString()!; break;
                case "first-entry": first = value.IsNull ? null : ReadEntry(value); break;
                case "last-entry": last = value.IsNull ? null : ReadEntry(value); break;
                default: break;
            }
        }

        return new StreamInfo(length, keys, nodes, groups, lastId, first, last);
    }

    /// <summary><c>XINFO GROUPS key</c>.</summary>
    public async Task<IReadOnlyList<StreamGroupInfo>> StreamGroupsInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteCoreAsync("XINFO", ["GROUPS", key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var list = new List<StreamGroupInfo>(result.ItemsArray.Length);
        foreach (var group in result.ItemsArray)
        {
            string name = string.Empty, lastDelivered = string.Empty;
            long consumers = 0, pending = 0;
            long? entriesRead = null, lag = null;
            foreach (var (field, value) in group.AsPairs())
            {
                switch (field.AsString())
                {
                    case "name": name = value.AsString()!; break;
                    case "consumers": consumers = value.AsInt64(); break;
                    case "pending": pending = value.AsInt64(); break;
                    case "last-delivered-id": lastDelivered = value.AsString()!; break;
                    case "entries-read": entriesRead = value.IsNull ? null : value.AsInt64(); break;
                    case "lag": lag = value.IsNull ? null : value.AsInt64(); break;
                    default: break;
                }
            }

            list.Add(new StreamGroupInfo(name, consumers, pending, lastDelivered, entriesRead, lag));
        }

        return list;
    }

    /// <summary><c>XDEL key id...</c>: how many entries were deleted.</summary>
    public async Task<long> StreamDeleteAsync(string key, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        var args = new RedisValue[ids.Count + 1];
        args[0] = key;
        Keys(ids).CopyTo(args, 1);
        return (await ExecuteCoreAsync("XDEL", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary><c>XTRIM key MAXLEN [~] n</c>: how many entries were removed.</summary>
    public async Task<long> StreamTrimAsync(string key, long maxLength, bool approximate = false, CancellationToken cancellationToken = default)
    {
        RedisValue[] args = approximate ? [key, "MAXLEN", "~", maxLength] : [key, "MAXLEN", maxLength];
        return (await ExecuteCoreAsync("XTRIM", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary><c>XLEN key</c>.</summary>
    public async Task<long> StreamLengthAsync(string key, CancellationToken cancellationToken = default) =>
        (await ExecuteCoreAsync("XLEN", [key], TimeSpan.Zero, cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary><c>XRANGE key start end [COUNT n]</c>.</summary>
    public async Task<IReadOnlyList<StreamEntry>> StreamRangeAsync(
        string key, string start = "-", string end = "+", int? count = null, CancellationToken cancellationToken = default)
    {
        RedisValue[] args = count is int n ? [key, start, end, "COUNT", n] : [key, start, end];
        return ReadEntries(await ExecuteCoreAsync("XRANGE", args, TimeSpan.Zero, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Entries for <paramref name="key"/> from an XREAD/XREADGROUP reply (RESP2 array of pairs or RESP3 map).</summary>
    private static StreamEntry[] ReadStreamsReply(RedisResult result, string key)
    {
        if (result.IsNull)
        {
            return [];
        }

        var items = result.ItemsArray;
        if (result.Type == RedisResultType.Map)
        {
            for (var i = 0; i + 1 < items.Length; i += 2)
            {
                if (items[i].AsString() == key)
                {
                    return ReadEntries(items[i + 1]);
                }
            }

            return [];
        }

        foreach (var stream in items)
        {
            if (stream.ItemsArray.Length == 2 && stream.ItemsArray[0].AsString() == key)
            {
                return ReadEntries(stream.ItemsArray[1]);
            }
        }

        return [];
    }

    private static StreamEntry[] ReadEntries(RedisResult result) =>
        result.IsNull ? [] : Array.ConvertAll(result.ItemsArray, ReadEntry);

    private static StreamEntry ReadEntry(RedisResult entry)
    {
        var items = entry.ItemsArray;
        if (items.Length != 2)
        {
            throw new RedisProtocolException(string.Create(CultureInfo.InvariantCulture, $"A stream entry has {items.Length} items, expected 2."));
        }

        return items[1].IsNull
            ? new StreamEntry(items[0].AsString()!, [], IsDeleted: true)
            : new StreamEntry(items[0].AsString()!, Entries(items[1]));
    }
}
