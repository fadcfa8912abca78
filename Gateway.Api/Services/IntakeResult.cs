namespace MlAspire.Gateway.Api.Services;

/// <summary>The images of an upload, each checked from its header, or why the upload was refused.</summary>
internal sealed record IntakeResult(IReadOnlyList<byte[]> Images, IntakeError? Error)
{
    public static IntakeResult Fail(int status, string title, string detail) => new([], new IntakeError(status, title, detail));
}
