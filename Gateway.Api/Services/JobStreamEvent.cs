using MlAspire.Gateway.Api.Model;

namespace MlAspire.Gateway.Api.Services;

/// <summary>
/// One thing an event stream sends: the job (a status change), an error that ends the stream, or neither (a
/// keep-alive comment, while nothing changes or the job store is away).
/// </summary>
internal readonly record struct JobStreamEvent(JobView? Job, string? Error)
{
    public static JobStreamEvent KeepAlive => default;

    public bool IsKeepAlive => Job is null && Error is null;
}
