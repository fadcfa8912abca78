using Google.Protobuf.Reflection;

namespace MlAspire.Grpc.Reflection;

/// <summary>Files by name and by every symbol they declare (services, methods, messages, enums, nested types).</summary>
internal sealed class DescriptorIndex
{
    private readonly Dictionary<string, FileDescriptor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _bySymbol = new(StringComparer.Ordinal);

    public DescriptorIndex(IEnumerable<FileDescriptor> files)
    {
        foreach (var file in files)
        {
            Add(file);
        }
    }

    public FileDescriptor? FindFile(string name) => _byName.GetValueOrDefault(name);

    public FileDescriptor? FindSymbol(string symbol) => _bySymbol.GetValueOrDefault(symbol);

    /// <summary>The file first, then its transitive dependencies, each once.</summary>
    public static IEnumerable<FileDescriptor> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name))
            {
                continue;
            }

            yield return next;
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }
    }

    private void Add(FileDescriptor file)
    {
        if (!_byName.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var dependency in file.Dependencies)
        {
            Add(dependency);
        }

        foreach (var service in file.Services)
        {
            _bySymbol.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                _bySymbol.TryAdd(method.FullName, file);
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file);
        }

        foreach (var e in file.EnumTypes)
        {
            _bySymbol.TryAdd(e.FullName, file);
        }
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _bySymbol.TryAdd(message.FullName, file);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }

        foreach (var e in message.EnumTypes)
        {
            _bySymbol.TryAdd(e.FullName, file);
        }
    }
}
