namespace MlAspire.Gateway.Api.Model;

/// <summary>How the worker turns an image into the model's input tensor.</summary>
internal sealed record ModelPreprocessing(
    int Width,
    int Height,
    int Channels,
    string? Layout,
    string? Resize,
    double? Scale,
    IReadOnlyList<double>? Mean,
    IReadOnlyList<double>? Std,
    bool Invert);
