using System.Text;

namespace MlAspire.Hosting;

/// <summary>Text with value references in it, e.g. <c>{redis.bindings.tcp.host}:{redis.bindings.tcp.port}</c>.
/// One typed model for both run mode (<see cref="Resolve"/>) and the manifest (<see cref="ManifestExpression"/>).
/// Build one with <c>ReferenceExpression.Create($"...{endpoint.Url}...")</c>.</summary>
public sealed class ReferenceExpression
{
    private readonly ExpressionSegment[] _segments;

    internal ReferenceExpression(IEnumerable<ExpressionSegment> segments) => _segments = [.. segments];

    public IReadOnlyList<ExpressionSegment> Segments => _segments;

    public IEnumerable<ValueReference> ValueReferences => _segments.Where(s => s.Value is not null).Select(s => s.Value!);

    public bool IsLiteral => _segments.All(s => s.Value is null);

    public string ManifestExpression
    {
        get
        {
            var text = new StringBuilder();
            foreach (var segment in _segments)
            {
                text.Append(segment.Literal ?? segment.Value!.ManifestExpression);
            }

            return text.ToString();
        }
    }

    public static ReferenceExpression Literal(string value) => new([new ExpressionSegment(value, null)]);

    public static ReferenceExpression Create(ValueReference value) => new([new ExpressionSegment(null, value)]);

    public static ReferenceExpression Create(ref ExpressionInterpolatedStringHandler handler) => handler.Build();

    public override string ToString() => ManifestExpression;

    internal string Resolve(ResolutionContext context)
    {
        var text = new StringBuilder();
        foreach (var segment in _segments)
        {
            text.Append(segment.Literal ?? segment.Value!.Resolve(context));
        }

        return text.ToString();
    }
}
