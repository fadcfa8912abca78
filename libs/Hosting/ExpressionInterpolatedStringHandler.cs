using System.Runtime.CompilerServices;

namespace MlAspire.Hosting;

/// <summary>Lets <c>ReferenceExpression.Create($"...")</c> keep the holes as typed references instead of text.</summary>
[InterpolatedStringHandler]
public ref struct ExpressionInterpolatedStringHandler
{
    private readonly List<ExpressionSegment> _segments;

    public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount)
    {
        _ = literalLength;
        _segments = new List<ExpressionSegment>((formattedCount * 2) + 1);
    }

    public readonly void AppendLiteral(string value) => _segments.Add(new ExpressionSegment(value, null));

    public readonly void AppendFormatted(string? value) => _segments.Add(new ExpressionSegment(value ?? string.Empty, null));

    public readonly void AppendFormatted(int value) => _segments.Add(new ExpressionSegment(value.ToString(), null));

    public readonly void AppendFormatted(ValueReference value) => _segments.Add(new ExpressionSegment(null, value));

    public readonly void AppendFormatted(EndpointReference value) => AppendFormatted(value.Url);

    public readonly void AppendFormatted(ParameterResource value) => AppendFormatted(value.ValueReference);

    public readonly void AppendFormatted(ReferenceExpression value) => _segments.AddRange(value.Segments);

    public readonly void AppendFormatted<T>(IResourceBuilder<T> value)
        where T : Resource
    {
        switch (value.Resource)
        {
            case ParameterResource parameter:
                AppendFormatted(parameter);
                break;
            case IResourceWithConnectionString withConnectionString:
                AppendFormatted(new ConnectionStringReference(withConnectionString));
                break;
            default:
                throw new DistributedApplicationException(
                    $"{value.Resource} has no value to put in an expression; use one of its endpoints instead.");
        }
    }

    internal readonly ReferenceExpression Build() => new(_segments);
}
