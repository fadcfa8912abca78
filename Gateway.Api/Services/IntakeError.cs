using Microsoft.AspNetCore.Http.HttpResults;

namespace MlAspire.Gateway.Api.Services;

/// <summary>Why an upload was refused: HTTP status, title and a detail written for the client.</summary>
internal sealed record IntakeError(int Status, string Title, string Detail)
{
    public ProblemHttpResult ToProblem() => TypedResults.Problem(Detail, statusCode: Status, title: Title);
}
