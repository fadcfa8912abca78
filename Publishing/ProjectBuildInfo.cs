namespace MlAspire.Publishing;

/// <summary>How a project builds inside the image: its path below <c>src/</c> and its assembly name.</summary>
internal sealed record ProjectBuildInfo(string ProjectPath, string AssemblyName);
