using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MlAspire.Load.Bench;

/// <summary>
/// Submits images to the gateway (<c>POST /v1/jobs</c>) at a fixed rate or concurrency for a bounded time, follows every
/// accepted job with long polls (<c>GET /v1/jobs/{id}?wait=</c>) to its final state, and reports what it saw. Every loop
/// is bounded: submissions stop after <see cref="LoadSettings.Duration"/>, following stops after the drain time.
/// </summary>
internal sealed class LoadRunner : IDisposable
{
    private const int PollWaitSeconds = 5;
    private readonly LoadSettings _settings;
    private readonly HttpClient _http;
    private readonly LoadImage[] _good;
    private readonly LoadImage[] _poison;
    private readonly ConcurrentQueue<JobOutcome> _jobs = new();
    private readonly ConcurrentDictionary<int, int> _rejected = new();
    private readonly ConcurrentBag<Task> _followers = [];
    private int _transportErrors;
    private int _skipped;
    private long _sequence;

    public LoadRunner(LoadSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _good = [.. settings.Images.Where(i => !i.Poison)];
        _poison = [.. settings.Images.Where(i => i.Poison)];
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(5) };
        _http = new HttpClient(handler) { BaseAddress = settings.Gateway, Timeout = TimeSpan.FromSeconds(PollWaitSeconds + 25) };
        if (settings.ApiKey is { } key)
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
    }

    /// <summary>Called with each submission's HTTP status (or 0 for no answer), e.g. to check Retry-After while a fault lasts.</summary>
    public Action<HttpResponseMessage?>? OnAnswer { get; init; }

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        using var submitting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        submitting.CancelAfter(_settings.Duration);
        using var following = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_settings.Rate is double rate)
        {
            // Each accepted job is followed from the moment it is accepted; the drain starts when submissions stop.
            await OpenLoopAsync(rate, submitting.Token, following.Token).ConfigureAwait(false);
            following.CancelAfter(_settings.Drain);
        }
        else
        {
            // Closed-loop clients follow their own jobs; the drain bounds the last one.
            following.CancelAfter(_settings.Duration + _settings.Drain);
            await Task.WhenAll(Enumerable.Range(0, _settings.Concurrency!.Value)
                .Select(_ => ClosedLoopClientAsync(submitting.Token, following.Token))).ConfigureAwait(false);
        }

        await Task.WhenAll(_followers).ConfigureAwait(false);
        return new LoadReport([.. _jobs], new Dictionary<int, int>(_rejected), _transportErrors, _skipped, started.Elapsed);
    }

    private async Task OpenLoopAsync(double rate, CancellationToken stop, CancellationToken follow)
    {
        var interval = TimeSpan.FromSeconds(1 / rate);
        using var inFlight = new SemaphoreSlim(_settings.MaxInFlight);
        var clock = Stopwatch.StartNew();
        var submissions = new List<Task>();
        for (long tick = 0; !stop.IsCancellationRequested; tick++)
        {
            var due = interval * tick;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (!inFlight.Wait(0, CancellationToken.None))
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }

            submissions.Add(SubmitReleasingAsync(inFlight, follow));
        }

        await Task.WhenAll(submissions).ConfigureAwait(false);
    }

    private async Task SubmitReleasingAsync(SemaphoreSlim inFlight, CancellationToken follow)
    {
        try
        {
            if (await SubmitAsync(CancellationToken.None).ConfigureAwait(false) is { } job)
            {
                _followers.Add(FollowAsync(job, follow));
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task ClosedLoopClientAsync(CancellationToken stop, CancellationToken follow)
    {
        while (!stop.IsCancellationRequested)
        {
            var job = await SubmitAsync(CancellationToken.None).ConfigureAwait(false);
            if (job is not null)
            {
                await FollowAsync(job, follow).ConfigureAwait(false);
            }
            else
            {
                // Refused: back off a little, as a polite client would.
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One submission; the job when it was accepted (202), else null (its status is counted).</summary>
    private async Task<JobOutcome?> SubmitAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _sequence);
        var image = _settings.PoisonEvery > 0 && n % _settings.PoisonEvery == 0 ? _poison[n % _poison.Length] : _good[n % _good.Length];
        using var content = new ByteArrayContent(image.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
        var submitted = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(new Uri($"/v1/jobs?model={Uri.EscapeDataString(_settings.Model)}", UriKind.Relative), content, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _transportErrors);
            OnAnswer?.Invoke(null);
            return null;
        }

        using (response)
        {
            OnAnswer?.Invoke(response);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                _rejected.AddOrUpdate((int)response.StatusCode, 1, static (_, count) => count + 1);
                return null;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var job = new JobOutcome(body.RootElement.GetProperty("id").GetString()!, image, submitted);
            _jobs.Enqueue(job);
            return job;
        }
    }

    /// <summary>Long-polls the job until it is final or <paramref name="cancellationToken"/> ends the drain; answers other
    /// than 200 (503 while Redis restarts, a dropped connection) are retried after a short pause.</summary>
    private async Task FollowAsync(JobOutcome job, CancellationToken cancellationToken)
    {
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"/v1/jobs/{job.Id}?wait={PollWaitSeconds}"), UriKind.Relative);
        while (!job.IsTerminal && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                    Observe(job, body.RootElement);
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Observe(JobOutcome job, JsonElement view)
    {
        var status = view.GetProperty("status").GetString() ?? "";
        job.Status = status;
        if (!job.IsTerminal)
        {
            return;
        }

        job.Latency = Stopwatch.GetElapsedTime(job.SubmittedTimestamp);
        if (view.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            job.Error = error.GetString();
        }

        if (view.TryGetProperty("predictions", out var predictions) && predictions.ValueKind == JsonValueKind.Array && predictions.GetArrayLength() > 0)
        {
            job.TopLabel = predictions[0].GetProperty("label").GetString();
        }
    }

    public void Dispose() => _http.Dispose();
}
