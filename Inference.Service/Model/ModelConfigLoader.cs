using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlAspire.Inference.Service.Model;

/// <summary>
/// Reads one model folder of the repository: <c>config.json</c>, the highest <c>&lt;version&gt;/model.onnx</c> and the
/// labels file, and validates all of it, collecting every problem into one <see cref="ModelConfigException"/>.
/// </summary>
internal static partial class ModelConfigLoader
{
    public const string ConfigFileName = "config.json";
    public const string ModelFileName = "model.onnx";
    public const string DefaultPlatform = "onnxruntime_onnx";
    public const int MaxInstanceCount = 32;
    private const long MaxConfigBytes = 1 << 20;
    private const long MaxLabelBytes = 16 << 20;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ModelNamePattern();

    public static ModelDefinition Load(string modelDirectory)
    {
        var folderName = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDirectory));
        var configPath = Path.Combine(modelDirectory, ConfigFileName);
        if (!File.Exists(configPath))
        {
            throw new ModelConfigException($"Model '{folderName}': {ConfigFileName} is missing.");
        }

        if (new FileInfo(configPath).Length > MaxConfigBytes)
        {
            throw new ModelConfigException($"Model '{folderName}': {ConfigFileName} is larger than {MaxConfigBytes} bytes.");
        }

        ModelConfigDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllBytes(configPath), ModelConfigJsonContext.Default.ModelConfigDocument);
        }
        catch (JsonException ex)
        {
            throw new ModelConfigException(
                $"Model '{folderName}': {ConfigFileName} is not valid: {ex.Message}", ex);
        }

        if (document is null)
        {
            throw new ModelConfigException($"Model '{folderName}': {ConfigFileName} is empty (null).");
        }

        var errors = new List<string>();
        var definition = Validate(document, folderName, modelDirectory, errors);
        if (errors.Count > 0 || definition is null)
        {
            throw new ModelConfigException($"Model '{folderName}': {string.Join("; ", errors)}.");
        }

        return definition;
    }

    private static ModelDefinition? Validate(ModelConfigDocument doc, string folderName, string directory, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(doc.Name))
        {
            errors.Add("'name' is required");
        }
        else if (doc.Name != folderName)
        {
            errors.Add($"'name' is '{doc.Name}' but the folder is '{folderName}'; they must match");
        }
        else if (!ModelNamePattern().IsMatch(doc.Name))
        {
            errors.Add($"'name' '{doc.Name}' may hold only letters, digits, '_', '.' and '-'");
        }

        var platform = string.IsNullOrEmpty(doc.Platform) ? DefaultPlatform : doc.Platform;
        if (platform != DefaultPlatform)
        {
            errors.Add($"'platform' '{platform}' is not supported (only '{DefaultPlatform}')");
        }

        if (doc.MaxBatchSize is < 0 or > 4096)
        {
            errors.Add($"'max_batch_size' {doc.MaxBatchSize} must be between 0 (no batching) and 4096");
        }

        var inputs = ValidateTensors(doc.Input, "input", errors);
        var outputs = ValidateTensors(doc.Output, "output", errors);
        var batching = ValidateBatching(doc, errors);

        // Left out: the service plans it from the host's cores (ExecutionPlanner).
        var instanceCount = doc.InstanceCount;
        if (instanceCount is < 1 or > MaxInstanceCount)
        {
            errors.Add($"'instance_count' {instanceCount} must be between 1 and {MaxInstanceCount} (or left out for one execution per core)");
        }

        var provider = ExecutionProviderPreference.Gpu;
        switch (doc.ExecutionProvider ?? "gpu")
        {
            case "gpu": provider = ExecutionProviderPreference.Gpu; break;
            case "cpu": provider = ExecutionProviderPreference.Cpu; break;
            default: errors.Add($"'execution_provider' '{doc.ExecutionProvider}' must be 'gpu' or 'cpu'"); break;
        }

        if (doc.Preprocessing is { } pre)
        {
            ValidatePreprocessing(pre, inputs, errors);
        }

        var ort = ValidateOnnxRuntime(doc.OnnxRuntime, errors);
        var (version, modelPath) = FindLatestVersion(directory, errors);
        var labels = LoadLabels(directory, outputs, errors);

        if (errors.Count > 0)
        {
            return null;
        }

        return new ModelDefinition(
            doc.Name!, version!, platform, modelPath!, doc.MaxBatchSize, inputs, outputs, batching, instanceCount,
            provider, doc.Preprocessing, labels, ort);
    }

    private static OrtSettingsSpec ValidateOnnxRuntime(OnnxRuntimeDocument? ort, List<string> errors)
    {
        if (ort is null)
        {
            return OrtSettingsSpec.ServiceDefaults;
        }

        if (ort.IntraOpThreads is < 0 or > 256)
        {
            errors.Add($"'onnxruntime.intra_op_threads' {ort.IntraOpThreads} must be between 0 (ONNX Runtime's choice) and 256");
        }

        return new OrtSettingsSpec(ort.IntraOpThreads, ort.IntraOpSpinning);
    }

    private static List<TensorSpec> ValidateTensors(List<TensorConfigDocument>? tensors, string field, List<string> errors)
    {
        var result = new List<TensorSpec>();
        if (tensors is null || tensors.Count == 0)
        {
            errors.Add($"'{field}' must list at least one tensor");
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var where = $"'{field}[{i}]'";
            if (string.IsNullOrWhiteSpace(t.Name))
            {
                errors.Add($"{where}: 'name' is required");
                continue;
            }

            if (!names.Add(t.Name))
            {
                errors.Add($"{where}: name '{t.Name}' appears twice");
            }

            if (!TensorDataTypes.TryParseConfigName(t.DataType, out var type))
            {
                errors.Add($"{where} '{t.Name}': 'data_type' '{t.DataType}' must be one of TYPE_BOOL, TYPE_UINT8, TYPE_INT8, TYPE_INT32, TYPE_INT64, TYPE_FP16, TYPE_FP32");
            }

            if (t.Dims is null)
            {
                errors.Add($"{where} '{t.Name}': 'dims' is required");
            }
            else if (t.Dims.Any(d => d is 0 or < -1))
            {
                errors.Add($"{where} '{t.Name}': 'dims' [{string.Join(", ", t.Dims)}] may hold only positive sizes or -1");
            }

            if (t.LabelFilename is not null && field != "output")
            {
                errors.Add($"{where} '{t.Name}': 'label_filename' belongs on outputs");
            }

            result.Add(new TensorSpec(t.Name, type, t.Dims ?? [], t.LabelFilename));
        }

        return result;
    }

    private static BatchingSpec ValidateBatching(ModelConfigDocument doc, List<string> errors)
    {
        var dynamic = doc.DynamicBatching;
        if (dynamic is null)
        {
            return new BatchingSpec(Enabled: false, TimeSpan.Zero, [], MaxQueueSize: 1024);
        }

        if (doc.MaxBatchSize == 0)
        {
            errors.Add("'dynamic_batching' needs 'max_batch_size' > 0");
        }

        var delayUs = dynamic.MaxQueueDelayUs ?? 0;
        if (delayUs is < 0 or > 10_000_000)
        {
            errors.Add($"'dynamic_batching.max_queue_delay_us' {delayUs} must be between 0 and 10000000");
        }

        var preferred = dynamic.PreferredBatchSizes ?? [];
        foreach (var size in preferred.Where(s => s < 1 || s > doc.MaxBatchSize))
        {
            errors.Add($"'dynamic_batching.preferred_batch_sizes' entry {size} must be between 1 and max_batch_size ({doc.MaxBatchSize})");
        }

        var queueSize = dynamic.MaxQueueSize ?? 1024;
        if (queueSize is < 1 or > 1_000_000)
        {
            errors.Add($"'dynamic_batching.max_queue_size' {queueSize} must be between 1 and 1000000");
        }

        return new BatchingSpec(
            Enabled: true,
            TimeSpan.FromMicroseconds(Math.Max(delayUs, 0)),
            [.. preferred.Distinct().Order()],
            queueSize);
    }

    private static void ValidatePreprocessing(PreprocessingDocument pre, List<TensorSpec> inputs, List<string> errors)
    {
        if (pre.Width is < 1 or > 8192 || pre.Height is < 1 or > 8192)
        {
            errors.Add($"'preprocessing' width {pre.Width} and height {pre.Height} must be between 1 and 8192");
        }

        if (pre.Channels is not (1 or 3))
        {
            errors.Add($"'preprocessing.channels' {pre.Channels} must be 1 (grayscale) or 3 (RGB)");
        }

        if (pre.Layout is not ("NCHW" or "NHWC"))
        {
            errors.Add($"'preprocessing.layout' '{pre.Layout}' must be 'NCHW' or 'NHWC'");
        }

        if (pre.Resize is not (null or "area" or "bilinear"))
        {
            errors.Add($"'preprocessing.resize' '{pre.Resize}' must be 'area' or 'bilinear'");
        }

        if (pre.Scale is { } scale && !(scale > 0 && double.IsFinite(scale)))
        {
            errors.Add($"'preprocessing.scale' {scale.ToString(CultureInfo.InvariantCulture)} must be a positive number");
        }

        if (pre.Mean is { } mean && mean.Count != pre.Channels)
        {
            errors.Add($"'preprocessing.mean' has {mean.Count} entries; it needs one per channel ({pre.Channels})");
        }

        if (pre.Std is { } std && (std.Count != pre.Channels || std.Any(s => !(s > 0))))
        {
            errors.Add($"'preprocessing.std' needs {pre.Channels} positive entries");
        }

        if (inputs.Count > 0 && pre.Layout is "NCHW" or "NHWC")
        {
            var first = inputs[0];
            long[] expected = pre.Layout == "NCHW"
                ? [pre.Channels, pre.Height, pre.Width]
                : [pre.Height, pre.Width, pre.Channels];
            if (first.DataType != TensorDataType.FP32 || !first.Dims.SequenceEqual(expected))
            {
                errors.Add(
                    $"'preprocessing' produces FP32 [{string.Join(", ", expected)}] but input '{first.Name}' is " +
                    $"{first.DataType} [{string.Join(", ", first.Dims)}]");
            }
        }
    }

    private static (string? Version, string? Path) FindLatestVersion(string directory, List<string> errors)
    {
        var best = Directory.EnumerateDirectories(directory)
            .Select(d => (Dir: d, Ok: long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v))
            .Where(x => x.Ok && x.Version > 0 && File.Exists(Path.Combine(x.Dir, ModelFileName)))
            .OrderByDescending(x => x.Version)
            .FirstOrDefault();
        if (best.Dir is null)
        {
            errors.Add($"no version folder holds {ModelFileName} (expected <name>/<version>/{ModelFileName}, version a positive integer)");
            return (null, null);
        }

        return (best.Version.ToString(CultureInfo.InvariantCulture), Path.Combine(best.Dir, ModelFileName));
    }

    private static List<string>? LoadLabels(string directory, List<TensorSpec> outputs, List<string> errors)
    {
        var labelled = outputs.FirstOrDefault(o => o.LabelFile is not null);
        if (labelled?.LabelFile is not { } file)
        {
            return null;
        }

        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(directory, file));
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            errors.Add($"'label_filename' '{file}' must stay inside the model folder");
            return null;
        }

        if (!File.Exists(path))
        {
            errors.Add($"'label_filename' '{file}' does not exist");
            return null;
        }

        if (new FileInfo(path).Length > MaxLabelBytes)
        {
            errors.Add($"'label_filename' '{file}' is larger than {MaxLabelBytes} bytes");
            return null;
        }

        var labels = File.ReadAllLines(path).Select(l => l.TrimEnd('\r')).ToList();
        while (labels.Count > 0 && labels[^1].Length == 0)
        {
            labels.RemoveAt(labels.Count - 1);
        }

        if (labels.Count == 0)
        {
            errors.Add($"'label_filename' '{file}' holds no labels");
        }

        return labels;
    }
}
