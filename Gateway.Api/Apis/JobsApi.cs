using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Model;
using MlAspire.Gateway.Api.Services;
using MlAspire.Queue;

namespace MlAspire.Gateway.Api.Apis;

/// <summary>POST /v1/jobs, GET /v1/jobs/{id} (with ?wait= long poll), GET /v1/jobs/{id}/events (Server-Sent Events).</summary>
internal static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder v1)
    {
        var jobs = v1.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapPost("/", SubmitAsync)
            .WithName("SubmitJobs")
            .WithSummary("Submit one image (image/jpeg, image/png) or several (multipart/form-data); one job per image.")
            .Accepts<byte[]>("image/png", "image/jpeg", "application/octet-stream", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        jobs.MapGet("/{id}", GetAsync)
            .WithName("GetJob")
            .WithSummary("A job's status and, once done, its result; ?wait=<seconds> waits for it to finish.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        jobs.MapGet("/{id}/events", EventsAsync)
            .WithName("GetJobEvents")
            .WithSummary("The job's status changes as Server-Sent Events (event 'status', data: the job), until it finishes; comments keep an idle stream open, and event 'error' ends it when the job's end cannot be told.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return v1;
    }

    internal static async Task<Results<Accepted<JobsAccepted>, ProblemHttpResult>> SubmitAsync(
        HttpContext context,
        [FromQuery] string? model,
        [FromQuery] int? top,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        JobSubmitter submitter,
        JobStore store,
        IOptions<GatewayOptions> options,
        CancellationToken cancellationToken)
    {
        var submission = await submitter.SubmitAsync(context, model, top, idempotencyKey, options.Value.MaxImagesPerRequest, cancellationToken: cancellationToken);
        if (submission.Problem is { } problem)
        {
            return problem;
        }

        var outcome = submission.Outcome!;
        var references = new List<JobReference>(outcome.JobIds.Count);
        foreach (var id in outcome.JobIds)
        {
            var status = outcome.Replayed ? (await store.GetAsync(id, cancellationToken))?.Status ?? JobStatuses.Queued : JobStatuses.Queued;
            references.Add(new JobReference(id, status, Location(id)));
        }

        return TypedResults.Accepted(references[0].Location, new JobsAccepted(references[0].Id, references[0].Status, references, outcome.Replayed));
    }

    internal static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(
        string id, [FromQuery] int? wait, JobStore store, JobTracker tracker, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxWaitSeconds;
        if (wait is { } seconds && (seconds < 0 || seconds > max))
        {
            return TypedResults.Problem(
                string.Create(CultureInfo.InvariantCulture, $"'wait' must be between 0 and {max} seconds."), statusCode: StatusCodes.Status400BadRequest, title: "Invalid wait");
        }

        var job = !JobStore.IsValidId(id) ? null
            : wait is > 0 ? await tracker.WaitAsync(id, TimeSpan.FromSeconds(wait.Value), cancellationToken)
            : await store.GetAsync(id, cancellationToken);
        return job is null ? NotFound(id) : TypedResults.Ok(job);
    }

    internal static async Task<Results<JobEventStreamResult, ProblemHttpResult>> EventsAsync(
        string id, JobStore store, JobTracker tracker, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        if (!JobStore.IsValidId(id) || await store.GetAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }

        return new JobEventStreamResult(tracker.StreamAsync(id, options.Value.EventStreamTimeout, options.Value.EventStreamKeepAlive, cancellationToken));
    }

    internal static string Location(string id) => "/v1/jobs/" + id;

    private static ProblemHttpResult NotFound(string id) => TypedResults.Problem(
        $"There is no job '{id}' (it never existed or has expired).", statusCode: StatusCodes.Status404NotFound, title: "Unknown job");
}
