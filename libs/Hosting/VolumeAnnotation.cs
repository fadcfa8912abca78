namespace MlAspire.Hosting;

/// <summary>A named container volume mounted at <see cref="Target"/>.</summary>
public sealed record VolumeAnnotation(string Name, string Target, bool IsReadOnly);
