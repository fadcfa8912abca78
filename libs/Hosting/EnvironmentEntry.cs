namespace MlAspire.Hosting;

/// <summary>One environment contribution of a resource, kept in call order.</summary>
public abstract record EnvironmentEntry;
