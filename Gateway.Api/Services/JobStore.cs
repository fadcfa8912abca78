using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Model;
using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Creates jobs (one atomic script: queue bound, hashes, images, stream entries, Idempotency-Key) and reads their state.</summary>
internal sealed class JobStore(IConnectionMultiplexer redis, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly GatewayOptions _options = options.Value;
    private readonly IDatabase _db = redis.GetDatabase();

    /// <summary>New job ids, one per image: 32 lower-case hex characters, time-ordered (UUID v7).</summary>
    public static string[] NewIds(int count)
    {
        var ids = new string[count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.CreateVersion7().ToString("N");
        }

        return ids;
    }

    /// <summary>
    /// Stores one job per image under <paramref name="ids"/> (see <see cref="NewIds"/>), unless the queue is full or the
    /// Idempotency-Key replays earlier jobs; the script rings the idle workers (see <see cref="QueueKeys.JobsQueued"/>).
    /// </summary>
    public async Task<EnqueueOutcome> EnqueueAsync(
        string model, int top, IReadOnlyList<byte[]> images, IReadOnlyList<string> ids, string? idempotencyKey, string scope,
        CancellationToken cancellationToken = default)
    {
        if (ids.Count != images.Count)
        {
            throw new ArgumentException("One id per image.", nameof(ids));
        }

        var keys = new List<RedisKey>(2 + (2 * ids.Count))
        {
            QueueKeys.Jobs,
            idempotencyKey is null ? "" : QueueKeys.Idempotency(scope, idempotencyKey),
        };
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Job(id)));
        keys.AddRange(ids.Select(id => (RedisKey)QueueKeys.Image(id)));
        var args = new List<RedisValue>(7 + (2 * ids.Count))
        {
            (long)_options.JobTtl.TotalSeconds,
            (long)_options.IdempotencyTtl.TotalSeconds,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            model,
            top,
            _options.StreamMaxLength,
            ids.Count,
        };
        args.AddRange(ids.Select(id => (RedisValue)id));
        args.AddRange(images.Select(image => (RedisValue)image));
        using var activity = GatewayTelemetry.Source.StartActivity("mlaspire:jobs publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.destination.name", QueueKeys.Jobs);
        activity?.SetTag("messaging.batch.message_count", ids.Count);
        activity?.SetTag("mlaspire.model", model);
        args.Add(JobTracing.TraceParent(activity ?? Activity.Current));
        args.Add(_options.MaxQueueLength);
        args.Add(QueueKeys.WorkersGroup);
        args.Add(QueueKeys.JobsQueued);
        cancellationToken.ThrowIfCancellationRequested();
        // The library's commands take no CancellationToken: once sent, a submission is stored or refused as a whole.
        var reply = await _db.ScriptEvaluateAsync(JobScripts.Enqueue, [.. keys], [.. args]).ConfigureAwait(false);
        var code = (long)reply[0];
        if (code == -1)
        {
            var depth = (long)reply[1];
            activity?.SetTag("mlaspire.queue.depth", depth);
            return EnqueueOutcome.QueueFull(depth);
        }

        var joined = (string?)reply[1] ?? "";
        return new EnqueueOutcome(joined.Split(',', StringSplitOptions.RemoveEmptyEntries), Replayed: code == 0);
    }

    /// <summary>The job's state, or null when there is no such job (never was, or expired).</summary>
    public async Task<JobView?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return FromFields(id, await _db.HashGetAllAsync(QueueKeys.Job(id)).WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The job as a terminal event's snapshot describes it (a JSON array of alternating field names and values, see
    /// <see cref="JobStatuses.TryParseEvent"/>); null when the snapshot is not such an array.
    /// </summary>
    public static JobView? FromSnapshot(string id, string snapshot)
    {
        var fields = new List<HashEntry>(24);
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(snapshot));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                var name = reader.GetString();
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                fields.Add(new HashEntry(name, reader.GetString()));
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return FromFields(id, fields);
    }

    /// <summary>The job a hash's fields describe; null when there are none (no such job).</summary>
    private static JobView? FromFields(string id, IReadOnlyList<HashEntry> fields)
    {
        if (fields.Count == 0)
        {
            return null;
        }

        string? status = null, model = null, result = null, error = null;
        long? created = null, started = null, finished = null;
        var attempts = 0;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case JobFields.Status: status = (string?)field.Value; break;
                case JobFields.Model: model = (string?)field.Value; break;
                case JobFields.Result: result = (string?)field.Value; break;
                case JobFields.Error: error = (string?)field.Value; break;
                case JobFields.Created: created = Int(field.Value); break;
                case JobFields.Started: started = Int(field.Value); break;
                case JobFields.Finished: finished = Int(field.Value); break;
                case JobFields.Attempts: attempts = (int)(Int(field.Value) ?? 0); break;
            }
        }

        JobResult? parsed = null;
        if (result is not null)
        {
            try
            {
                parsed = JsonSerializer.Deserialize(result, QueueJsonContext.Default.JobResult);
            }
            catch (JsonException)
            {
                error ??= "The stored result is unreadable.";
            }
        }

        var timings = finished is null && started is null
            ? null
            : new JobTimingsView(
                Diff(created, started),
                parsed?.Timings.PreprocessMs,
                parsed?.Timings.InferenceMs,
                Diff(created, finished),
                parsed?.Timings.BatchSize);
        return new JobView(
            id,
            status ?? JobStatuses.Queued,
            model ?? "",
            parsed?.Version,
            attempts,
            Time(created),
            Time(started),
            Time(finished),
            parsed?.Predictions,
            timings,
            error);
    }

    /// <summary>Job ids are 32 lower-case hex characters; anything else cannot name a job.</summary>
    public static bool IsValidId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    private static long? Int(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? Diff(long? from, long? to) => from is long a && to is long b ? b - a : null;

    private static DateTimeOffset? Time(long? ms) => ms is long v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
