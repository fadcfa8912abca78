namespace MlAspire.Gateway.Api.Model;

/// <summary>An accepted job: its id, status and where to poll it.</summary>
internal sealed record JobReference(string Id, string Status, string Location);
