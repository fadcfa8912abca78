namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>The model's <c>preprocessing</c> block as ModelMetadata carries it (snake_case JSON).</summary>
internal sealed class PreprocessingDocument
{
    public int Width { get; set; }
    public int Height { get; set; }
    public int Channels { get; set; }
    public string? Layout { get; set; }
    public string? Resize { get; set; }
    public double? Scale { get; set; }
    public List<double>? Mean { get; set; }
    public List<double>? Std { get; set; }
    public bool Invert { get; set; }
}
