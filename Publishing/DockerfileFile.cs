namespace MlAspire.Publishing;

/// <summary>A file or folder on the publishing machine (<see cref="Source"/>, absolute) copied to <see cref="Target"/> in the image.</summary>
public sealed record DockerfileFile(string Source, string Target);
