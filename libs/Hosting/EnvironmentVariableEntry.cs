namespace MlAspire.Hosting;

/// <summary><c>WithEnvironment(key, value)</c>: one variable whose value is a reference expression.</summary>
public sealed record EnvironmentVariableEntry(string Key, ReferenceExpression Value) : EnvironmentEntry;
