using MlAspire.Queue;
using StackExchange.Redis;

namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>
/// Finds the jobs that went with a lost jobs stream (deleted by hand, or its group destroyed) and puts them back: a
/// job hash still queued or processing whose id is in no stream entry is queued again, or failed with its reason when
/// its image is gone too. Run by the worker that recreated the group, before it reads: the count is logged, so a loss
/// is reported, never silent. When Redis itself lost its data, the hashes went too and there is nothing to find.
/// </summary>
internal sealed class LostJobRecovery(IConnectionMultiplexer redis, TimeProvider time)
{
    private const int PageSize = 1000;
    private readonly IDatabase _db = redis.GetDatabase();

    /// <summary>Returns how many jobs were queued again and how many failed.</summary>
    public async Task<(int Requeued, int Failed)> RecoverAsync(CancellationToken cancellationToken)
    {
        // Jobs created from now on are the gateway's new submissions, in the new stream with their own entries.
        var startedMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var inStream = await StreamJobIdsAsync(cancellationToken).ConfigureAwait(false);
        var requeued = 0;
        var failed = 0;
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: QueueKeys.JobPrefix + "*", pageSize: PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var name = key.ToString();
                if (name.EndsWith(":image", StringComparison.Ordinal))
                {
                    continue;
                }

                var id = name[QueueKeys.JobPrefix.Length..];
                if (id.Length == 0 || inStream.Contains(id))
                {
                    continue;
                }

                var outcome = (long)await _db.ScriptEvaluateAsync(
                    JobScripts.RequeueLost,
                    [QueueKeys.Jobs, QueueKeys.Job(id), QueueKeys.Image(id), QueueKeys.DeadLetter],
                    [id, time.GetUtcNow().ToUnixTimeMilliseconds(), QueueKeys.JobEvents, startedMs]).ConfigureAwait(false);
                if (outcome == 1)
                {
                    requeued++;
                }
                else if (outcome == 2)
                {
                    failed++;
                }
            }
        }

        return (requeued, failed);
    }

    /// <summary>The job ids of every entry the stream holds now (entries the recreated group will deliver anyway).</summary>
    private async Task<HashSet<string>> StreamJobIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        RedisValue from = "-";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await _db.StreamRangeAsync(QueueKeys.Jobs, from, "+", PageSize).ConfigureAwait(false);
            foreach (var entry in page)
            {
                var id = entry["id"];
                if (!id.IsNull)
                {
                    ids.Add(id.ToString());
                }
            }

            if (page.Length < PageSize)
            {
                return ids;
            }

            from = "(" + page[^1].Id;
        }
    }
}
