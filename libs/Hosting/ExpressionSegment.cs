namespace MlAspire.Hosting;

/// <summary>A piece of a <see cref="ReferenceExpression"/>: literal text or a value reference.</summary>
public readonly record struct ExpressionSegment(string? Literal, ValueReference? Value);
