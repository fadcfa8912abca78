using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MlAspire.Gateway.Api.Model;
using MlAspire.Gateway.Api.Services;
using MlAspire.Queue;

namespace MlAspire.Gateway.Api.Apis;

/// <summary>GET /v1/models, GET /v1/models/{model}, POST /v1/models/{model}:classify.</summary>
internal static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        var models = v1.MapGroup("/models").WithTags("Models");
        models.MapGet("/", ListAsync)
            .WithName("ListModels")
            .WithSummary("The models in the inference service's repository and whether each is ready.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/{model}", GetAsync)
            .WithName("GetModel")
            .WithSummary("A model's inputs, outputs, labels, preprocessing and readiness.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        models.MapPost("/{model}:classify", ClassifyAsync)
            .WithName("Classify")
            .WithSummary("Classify one image synchronously: queue it and wait (bounded); 504 with the job id to poll when it takes longer.")
            .Accepts<byte[]>("image/png", "image/jpeg", "application/octet-stream", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return v1;
    }

    internal static async Task<Ok<ModelList>> ListAsync(ModelDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok(await directory.ListAsync(cancellationToken));

    internal static async Task<Results<Ok<ModelDetails>, ProblemHttpResult>> GetAsync(string model, ModelDirectory directory, CancellationToken cancellationToken) =>
        await directory.GetAsync(model, cancellationToken) is { } details
            ? TypedResults.Ok(details)
            : TypedResults.Problem($"The inference service serves no model named '{model}'.", statusCode: StatusCodes.Status404NotFound, title: "Unknown model");

    internal static async Task<Results<Ok<JobView>, ProblemHttpResult>> ClassifyAsync(
        HttpContext context,
        string model,
        [FromQuery] int? top,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        JobSubmitter submitter,
        JobTracker tracker,
        IOptions<GatewayOptions> options,
        CancellationToken cancellationToken)
    {
        // The watch starts before the job is stored, so its end cannot be missed and the wait needs no first read.
        JobWatch? watch = null;
        JobView? job;
        string id;
        try
        {
            var submission = await submitter.SubmitAsync(
                context, model, top, idempotencyKey, maxImages: 1, ids => watch = tracker.WatchForEnd(ids[0]), cancellationToken);
            if (submission.Problem is { } problem)
            {
                return problem;
            }

            id = submission.Outcome!.JobIds[0];
            job = watch is not null && !submission.Outcome.Replayed
                ? await tracker.WaitAsync(watch, watchedBeforeStored: true, options.Value.ClassifyTimeout, cancellationToken)
                : await tracker.WaitAsync(id, options.Value.ClassifyTimeout, cancellationToken);
        }
        finally
        {
            watch?.Dispose();
        }

        var extensions = new Dictionary<string, object?> { ["jobId"] = id, ["location"] = JobsApi.Location(id) };
        switch (job?.Status)
        {
            case JobStatuses.Succeeded:
                return TypedResults.Ok(job);
            case JobStatuses.Failed:
                return TypedResults.Problem(job.Error ?? "The job failed.", statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Classification failed", extensions: extensions);
            case null:
                return TypedResults.Problem("The job expired before it finished.", statusCode: StatusCodes.Status500InternalServerError,
                    title: "Job lost", extensions: extensions);
            default:
                context.Response.Headers.Location = JobsApi.Location(id);
                return TypedResults.Problem("The job did not finish in time; poll its location for the result.",
                    statusCode: StatusCodes.Status504GatewayTimeout, title: "Still processing", extensions: extensions);
        }
    }
}
