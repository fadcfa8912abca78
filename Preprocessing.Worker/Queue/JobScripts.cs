namespace MlAspire.Queue;

/// <summary>
/// The Lua scripts that change job state. Each runs atomically on the server, so a job's hash, its image, the
/// stream entry and the completion event never disagree, and a terminal state is written once. Run them with
/// StackExchange.Redis's <c>ScriptEvaluateAsync(string, ...)</c>: it loads each script once per server and sends
/// <c>EVALSHA</c> after that, and loads it again when the server answers <c>NOSCRIPT</c> (after a restart or a flush).
/// </summary>
internal static class JobScripts
{
    /// <summary>
    /// Lua shared by the scripts that read the workers' group: groupFields(stream, name) returns the named group's
    /// XINFO GROUPS fields as a table (nil when the stream or the group does not exist) and how many groups there are.
    /// </summary>
    private const string GroupFields = """
        local function groupFields(stream, name)
          local groups = redis.pcall('XINFO', 'GROUPS', stream)
          if type(groups) ~= 'table' or groups.err then return nil, 0 end
          for _, g in ipairs(groups) do
            local f = {}
            for j = 1, #g, 2 do f[g[j]] = g[j + 1] end
            if f['name'] == name then return f, #groups end
          end
          return nil, #groups
        end

        """;

    /// <summary>
    /// Creates n jobs: hash + image key (both with TTL) + stream entry each, and records the Idempotency-Key — unless
    /// the queue would grow past its bound: jobs not yet delivered to a worker (the group's lag) plus jobs delivered
    /// and not finished (pending) plus n must stay within max queued (before the workers' group exists: the stream's
    /// length). The workers delete an entry when they acknowledge it, so the stream holds the queued and pending jobs
    /// (less any entry deleted by hand while pending), and while its length leaves room for n the bound is met without
    /// asking the group (XINFO GROUPS and walking its reply cost more than the rest of the script). Only a fuller
    /// stream is counted from the group. Redis cannot tell the lag whenever the entry last delivered has been deleted
    /// while an older one is still pending (routinely, between a worker's finishing a batch and the next read); the
    /// stream then holds just the undelivered and pending entries, so the lag is its length less the pending ones.
    /// Only a stream over twice max queued (entries kept by workers that do not delete them) has its undelivered
    /// entries walked instead, at most max queued + 1 of them: that costs milliseconds on a deep queue.
    /// KEYS: stream, idempotency key ("" for none), n job hashes, n image keys.
    /// ARGV: job ttl s, idempotency ttl s, created ms, model, top, stream max length, n, n ids, n images, traceparent
    /// ("" for none; stored in each job hash so the worker continues the submitter's trace), max queued, workers' group,
    /// wake-up channel (the script publishes n on it once the jobs are stored, so idle workers read them at once).
    /// Returns {1, "id,id,..."} when created, {0, "id,id,..."} when the Idempotency-Key already named jobs,
    /// {-1, depth} when the queue is full (nothing stored).
    /// </summary>
    public const string Enqueue = GroupFields + """
        local n = tonumber(ARGV[7])
        local traceparent = ARGV[8 + 2 * n] or ''
        local maxQueued = tonumber(ARGV[9 + 2 * n])
        local group = ARGV[10 + 2 * n]
        local wakeUp = ARGV[11 + 2 * n]
        if KEYS[2] ~= '' then
          local existing = redis.call('GET', KEYS[2])
          if existing then return {0, existing} end
        end
        local depth = redis.call('XLEN', KEYS[1])
        local f = depth + n > maxQueued and groupFields(KEYS[1], group)
        if f then
          local lag = f['lag']
          if not lag and depth <= 2 * maxQueued then
            lag = math.max(depth - f['pending'], 0)
          elseif not lag then
            lag = #redis.call('XRANGE', KEYS[1], '(' .. f['last-delivered-id'], '+', 'COUNT', maxQueued + 1)
          end
          depth = lag + f['pending']
        end
        if depth + n > maxQueued then return {-1, depth} end
        local fields = {'status', 'queued', 'model', ARGV[4], 'top', ARGV[5], 'created', ARGV[3], 'attempts', 0}
        if traceparent ~= '' then fields[#fields + 1] = 'traceparent'; fields[#fields + 1] = traceparent end
        local ids = {}
        for i = 1, n do
          local id = ARGV[7 + i]
          local jobKey = KEYS[2 + i]
          redis.call('HSET', jobKey, unpack(fields))
          redis.call('EXPIRE', jobKey, ARGV[1])
          redis.call('SET', KEYS[2 + n + i], ARGV[7 + n + i], 'EX', ARGV[1])
          redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[6], '*', 'id', id, 'model', ARGV[4])
          ids[i] = id
        end
        local joined = table.concat(ids, ',')
        if KEYS[2] ~= '' then redis.call('SET', KEYS[2], joined, 'NX', 'EX', ARGV[2]) end
        redis.call('PUBLISH', wakeUp, n)
        return {1, joined}
        """;

    /// <summary>
    /// Lua shared by the scripts that hand jobs to a worker: handOver(entries, consumer, now, channel, jobPrefix) counts
    /// one attempt for each stream entry's job and marks it processing by that consumer (publishing the change once),
    /// unless the job is gone or terminal. Returns, per entry, {entry id, job id, model, previous status or "missing",
    /// attempts, top, traceparent} flattened. An entry deleted while pending (no fields), or one without id and model,
    /// comes back with job id "" and status "missing"; a hash without a status (not one the gateway wrote) counts as
    /// missing and is left alone. The job hashes are named from the entries, so they cannot be declared as KEYS: these
    /// scripts need a standalone server (or one whose keys share a slot), which is what the product runs on.
    /// </summary>
    private const string HandOver = """
        local function handOver(entries, consumer, now, channel, prefix)
          local out = {}
          for _, e in ipairs(entries) do
            local id, model = '', ''
            if type(e[2]) == 'table' then
              for j = 1, #e[2], 2 do
                if e[2][j] == 'id' then id = e[2][j + 1] elseif e[2][j] == 'model' then model = e[2][j + 1] end
              end
            end
            local status, attempts, top, traceparent = 'missing', 0, '0', ''
            if id ~= '' and model ~= '' then
              local key = prefix .. id
              local job = redis.call('HMGET', key, 'status', 'top', 'traceparent')
              if job[1] then
                status = job[1]
                if status ~= 'succeeded' and status ~= 'failed' then
                  attempts = redis.call('HINCRBY', key, 'attempts', 1)
                  if status == 'processing' then
                    redis.call('HSET', key, 'worker', consumer)
                  else
                    redis.call('HSET', key, 'status', 'processing', 'worker', consumer, 'started', now)
                    redis.call('PUBLISH', channel, id .. ' processing')
                  end
                  top = job[2] or '5'
                  traceparent = job[3] or ''
                end
              end
            end
            local n = #out
            out[n + 1] = e[1]; out[n + 2] = id; out[n + 3] = model; out[n + 4] = status
            out[n + 5] = attempts; out[n + 6] = top; out[n + 7] = traceparent
          end
          return out
        end

        """;

    /// <summary>
    /// Hands jobs to a worker: reads up to count entries for the consumer (XREADGROUP, never blocking: new entries with
    /// id "&gt;", the consumer's own pending ones with "0") and, in the same atomic step, counts an attempt for each job
    /// and marks it processing (see <see cref="HandOver"/>). So every delivery is counted however the worker dies after
    /// it, and the dead-letter bound holds. KEYS: stream. ARGV: group, consumer, count, id, now ms, channel, job key
    /// prefix. Returns the hand-over rows (7 per entry); none when there is nothing to read.
    /// </summary>
    public const string Deliver = HandOver + """
        local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], ARGV[4])
        if not reply then return {} end
        return handOver(reply[1][2], ARGV[2], ARGV[5], ARGV[6], ARGV[7])
        """;

    /// <summary>
    /// Takes over the jobs of dead workers: a consumer of the group other than this one whose heartbeat key is gone and
    /// which has not touched the stream for min idle ms has its pending entries (up to count in all) claimed for this
    /// consumer (XCLAIM) and handed over (see <see cref="HandOver"/>: the take-over is a delivery and counts an attempt).
    /// A live worker refreshes its heartbeat on a timer of its own, so a slow batch never loses its jobs; the idle
    /// condition guards the moments after a Redis restart that lost the heartbeats of live workers. A dead consumer with
    /// nothing left pending is removed from the group. KEYS: stream. ARGV: group, consumer, count, min idle ms, now ms,
    /// channel, job key prefix, heartbeat key prefix. Returns the hand-over rows (7 per entry).
    /// </summary>
    public const string Reclaim = HandOver + """
        local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
        if type(consumers) ~= 'table' or consumers.err then return {} end
        local limit, minIdle = tonumber(ARGV[3]), tonumber(ARGV[4])
        local out = {}
        for _, c in ipairs(consumers) do
          local f = {}
          for j = 1, #c, 2 do f[c[j]] = c[j + 1] end
          if f['name'] ~= ARGV[2] and f['idle'] >= minIdle and redis.call('EXISTS', ARGV[8] .. f['name']) == 0 then
            local pending = f['pending']
            local room = limit - #out / 7
            if pending > 0 and room > 0 then
              local ids = {}
              for _, p in ipairs(redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', room, f['name'])) do ids[#ids + 1] = p[1] end
              local rows = handOver(redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(ids)), ARGV[2], ARGV[5], ARGV[6], ARGV[7])
              for _, v in ipairs(rows) do out[#out + 1] = v end
              pending = pending - #ids
            end
            if pending <= 0 then redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name']) end
          end
        end
        return out
        """;

    /// <summary>
    /// Writes the results of n jobs, then acknowledges and deletes their stream entries, in one atomic step (so a
    /// result is never acknowledged unwritten). A job that is gone or already terminal is only acknowledged: each result
    /// is written once; each written one is published with the job's hash (see <see cref="JobStatuses.TryParseEvent"/>).
    /// KEYS: stream, n job hashes, n image keys. ARGV: group, channel, now ms, n, n ids, n entry ids, n results.
    /// Returns how many results were written.
    /// </summary>
    public const string CompleteMany = """
        local n = tonumber(ARGV[4])
        local written = 0
        for i = 1, n do
          local key = KEYS[1 + i]
          local status = redis.call('HGET', key, 'status')
          if status and status ~= 'succeeded' and status ~= 'failed' then
            redis.call('HSET', key, 'status', 'succeeded', 'result', ARGV[4 + 2 * n + i], 'finished', ARGV[3])
            redis.call('PUBLISH', ARGV[2], ARGV[4 + i] .. ' succeeded ' .. cjson.encode(redis.call('HGETALL', key)))
            written = written + 1
          end
        end
        redis.call('DEL', unpack(KEYS, 2 + n, 1 + 2 * n))
        local entries = {unpack(ARGV, 5 + n, 4 + 2 * n)}
        redis.call('XACK', KEYS[1], ARGV[1], unpack(entries))
        redis.call('XDEL', KEYS[1], unpack(entries))
        return written
        """;

    /// <summary>
    /// Acknowledges and deletes stream entries (jobs finished elsewhere, gone, or dead-lettered): the stream keeps only
    /// jobs queued or in progress, which is what <see cref="Enqueue"/> counts. KEYS: stream. ARGV: group, entry ids.
    /// Returns how many were acknowledged.
    /// </summary>
    public const string Acknowledge = """
        local entries = {unpack(ARGV, 2)}
        local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(entries))
        redis.call('XDEL', KEYS[1], unpack(entries))
        return acked
        """;

    /// <summary>
    /// Removes finished entries that are still in the stream (acknowledged by hand, or by workers of a build that did not
    /// delete them): every entry older than the oldest pending one, or than the last delivered one when nothing is
    /// pending, is finished. Skipped while the stream has other groups, which may not have read them yet.
    /// KEYS: stream. ARGV: workers' group. Returns how many entries were removed.
    /// </summary>
    public const string TrimFinished = GroupFields + """
        local f, groups = groupFields(KEYS[1], ARGV[1])
        if not f or groups ~= 1 then return 0 end
        local minId
        if f['pending'] > 0 then
          minId = redis.call('XPENDING', KEYS[1], ARGV[1])[2]
        else
          local ms, seq = string.match(f['last-delivered-id'], '^(%d+)-(%d+)$')
          if not ms then return 0 end
          minId = ms .. '-' .. string.format('%d', tonumber(seq) + 1)
        end
        return redis.call('XTRIM', KEYS[1], 'MINID', minId)
        """;

    /// <summary>
    /// Fails a job for good: marks it failed with the reason (unless already terminal), drops the image, adds it to the
    /// dead-letter stream and publishes the event with the job's hash. KEYS: job hash, image key, dead-letter stream.
    /// ARGV: reason, now ms, channel, id, model, consumer. Returns 1 when dead-lettered.
    /// </summary>
    public const string Fail = """
        local status = redis.call('HGET', KEYS[1], 'status')
        if status == 'succeeded' or status == 'failed' then return 0 end
        local attempts = '0'
        if status then
          redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[1], 'finished', ARGV[2])
          attempts = redis.call('HGET', KEYS[1], 'attempts') or '0'
        end
        redis.call('DEL', KEYS[2])
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', 100000, '*', 'id', ARGV[4], 'model', ARGV[5], 'reason', ARGV[1],
          'attempts', attempts, 'worker', ARGV[6], 'failed', ARGV[2])
        if status then redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' failed ' .. cjson.encode(redis.call('HGETALL', KEYS[1]))) end
        return 1
        """;

    /// <summary>
    /// Puts back a job whose stream entry was lost (the jobs stream deleted, or its group destroyed and recreated):
    /// a job still queued or processing, created before the recovery began, is queued again when its image is still
    /// there, and otherwise failed for good (dead-lettered, with its event) so that no one waits for it forever.
    /// KEYS: stream, job hash, image key, dead-letter stream. ARGV: id, now ms, job events channel, created-before ms.
    /// Returns 1 when queued again, 2 when failed, 0 when left alone.
    /// </summary>
    public const string RequeueLost = """
        local job = redis.call('HMGET', KEYS[2], 'status', 'model', 'created', 'attempts')
        local status = job[1]
        if status ~= 'queued' and status ~= 'processing' then return 0 end
        if not job[2] or tonumber(job[3] or '0') >= tonumber(ARGV[4]) then return 0 end
        if redis.call('EXISTS', KEYS[3]) == 1 then
          redis.call('HSET', KEYS[2], 'status', 'queued')
          redis.call('HDEL', KEYS[2], 'worker')
          redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'model', job[2])
          return 1
        end
        local reason = 'its queue entry and image were lost (the jobs stream was deleted or Redis lost its data)'
        redis.call('HSET', KEYS[2], 'status', 'failed', 'error', reason, 'finished', ARGV[2])
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', 100000, '*', 'id', ARGV[1], 'model', job[2], 'reason', reason,
          'attempts', job[4] or '0', 'worker', '', 'failed', ARGV[2])
        redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' failed ' .. cjson.encode(redis.call('HGETALL', KEYS[2])))
        return 2
        """;
}
