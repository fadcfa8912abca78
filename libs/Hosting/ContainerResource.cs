namespace MlAspire.Hosting;

/// <summary>A container image (<c>container.v0</c>). Run mode starts it with <c>docker run</c>.</summary>
public class ContainerResource : Resource
{
    private readonly List<VolumeAnnotation> _volumes = [];

    internal ContainerResource(string name, string image, string tag)
        : base(name)
    {
        Image = image;
        Tag = tag;
    }

    /// <summary>Image name including its registry, e.g. <c>docker.io/library/redis</c>.</summary>
    public string Image { get; }

    public string Tag { get; }

    public string? Entrypoint { get; internal set; }

    public IReadOnlyList<VolumeAnnotation> Volumes => _volumes;

    public override string ManifestType => "container.v0";

    internal void AddVolume(VolumeAnnotation volume)
    {
        _volumes.RemoveAll(v => v.Target == volume.Target);
        _volumes.Add(volume);
    }
}
