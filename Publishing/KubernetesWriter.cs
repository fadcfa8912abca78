using System.Globalization;
using System.Text.Json.Nodes;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>Writes the kustomize tree under <c>kubernetes/</c>: <c>base/</c> with one file per resource (projects:
/// ConfigMap + Deployment + Service, a headless Service for HTTP/2 (gRPC) endpoints, an HPA when replicas &gt; 1;
/// Redis: StatefulSet + Service), the parameters Secret from a kustomize secretGenerator, and
/// <c>overlays/dev</c> / <c>overlays/prod</c>. Pods meet the Pod Security "restricted" profile.</summary>
internal static class KubernetesWriter
{
    public const string ParametersName = "parameters";
    public const string SecretParametersFile = "parameters.env";
    public const string ConfigParametersFile = "parameters.config.env";
    public const string ProdRegistry = "registry.example.com";
    public const string GpuResourceName = "nvidia.com/gpu";
    private const int RedisUid = 999;

    /// <summary>Every generated file, keyed by its path below <c>kubernetes/</c>. The parameter env files are
    /// returned separately: they are written only when absent, because the user fills them.</summary>
    public static (SortedDictionary<string, string> Files, SortedDictionary<string, string> UserFiles) Write(
        IReadOnlyList<DeployedResource> resources, IReadOnlyList<ParameterResource> parameters, ContainerImageOptions options)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var userFiles = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            ValidateNames(resource);
            files[$"base/{resource.Name}.yaml"] = YamlWriter.WriteDocuments(Objects(resource, options));
        }

        var kustomization = Kustomization();
        kustomization["resources"] = Array(resources.Select(r => (JsonNode)$"{r.Name}.yaml"));
        var secrets = parameters.Where(p => p.Secret).ToList();
        var plain = parameters.Where(p => !p.Secret).ToList();
        if (secrets.Count > 0)
        {
            kustomization["secretGenerator"] = Array(new JsonObject { ["name"] = ParametersName, ["envs"] = Array((JsonNode)SecretParametersFile) });
            userFiles[$"base/{SecretParametersFile}"] = EnvFile(secrets, "secret parameters; kustomize's secretGenerator turns this file into the 'parameters' Secret. Keep it out of version control.");
        }

        if (plain.Count > 0)
        {
            kustomization["configMapGenerator"] = Array(new JsonObject { ["name"] = ParametersName, ["envs"] = Array((JsonNode)ConfigParametersFile) });
            userFiles[$"base/{ConfigParametersFile}"] = EnvFile(plain, "parameters; kustomize's configMapGenerator turns this file into the 'parameters' ConfigMap.");
        }

        files["base/kustomization.yaml"] = YamlWriter.Write(kustomization);
        files[".gitignore"] = $"# Filled in by whoever deploys; never commit parameter values.\nbase/{SecretParametersFile}\n";
        files["overlays/dev/kustomization.yaml"] = YamlWriter.Write(DevOverlay(resources));
        var (prod, ingress) = ProdOverlay(resources);
        files["overlays/prod/kustomization.yaml"] = YamlWriter.Write(prod);
        if (ingress is not null)
        {
            files["overlays/prod/ingress.yaml"] = YamlWriter.Write(ingress);
        }

        return (files, userFiles);
    }

    private static string EnvFile(IEnumerable<ParameterResource> parameters, string purpose)
    {
        var text = new System.Text.StringBuilder();
        text.Append("# Values of the AppHost's ").Append(purpose).Append('\n');
        text.Append("# One KEY=VALUE per line; publishing writes only the keys, never a value.\n");
        foreach (var parameter in parameters)
        {
            text.Append(parameter.Name).Append("=\n");
        }

        return text.ToString();
    }

    private static IEnumerable<JsonObject> Objects(DeployedResource resource, ContainerImageOptions options)
    {
        if (resource.IsProject)
        {
            yield return ConfigMap(resource, options);
        }

        if (resource.Volumes.Count > 0)
        {
            yield return StatefulSet(resource, options);
        }
        else
        {
            yield return Deployment(resource, options);
        }

        if (resource.Ports.Count > 0)
        {
            yield return Service(resource, options, headless: false);
            if (resource.Ports.Any(p => p.Transport == "http2"))
            {
                // Long-lived HTTP/2 connections pin to one pod behind a ClusterIP; the headless Service lets
                // gRPC clients resolve every pod and balance themselves.
                yield return Service(resource, options, headless: true);
            }
        }

        if (resource.IsAutoscaled)
        {
            yield return Autoscaler(resource, options);
        }
    }

    private static JsonObject Metadata(string name, DeployedResource resource, ContainerImageOptions options) => new()
    {
        ["name"] = name,
        ["labels"] = Labels(resource, options),
    };

    private static JsonObject Labels(DeployedResource resource, ContainerImageOptions options) => new()
    {
        ["app.kubernetes.io/name"] = resource.Name,
        ["app.kubernetes.io/part-of"] = options.Prefix.Replace('/', '-'),
        ["app.kubernetes.io/managed-by"] = "mlaspire-publish",
    };

    private static JsonObject Selector(DeployedResource resource) => new() { ["app.kubernetes.io/name"] = resource.Name };

    private static JsonObject ConfigMap(DeployedResource resource, ContainerImageOptions options)
    {
        var data = new JsonObject();
        foreach (var (key, value) in resource.Environment.Where(e => e.Value.IsLiteral))
        {
            data[key] = value.LiteralText;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = Metadata($"{resource.Name}-env", resource, options),
            ["data"] = data,
        };
    }

    private static JsonObject Deployment(DeployedResource resource, ContainerImageOptions options) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = Metadata(resource.Name, resource, options),
        ["spec"] = new JsonObject
        {
            ["replicas"] = resource.Replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = Selector(resource) },
            ["template"] = PodTemplate(resource, options),
        },
    };

    private static JsonObject StatefulSet(DeployedResource resource, ContainerImageOptions options) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "StatefulSet",
        ["metadata"] = Metadata(resource.Name, resource, options),
        ["spec"] = new JsonObject
        {
            ["serviceName"] = resource.Name,
            ["replicas"] = resource.Replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = Selector(resource) },
            ["template"] = PodTemplate(resource, options),
            ["volumeClaimTemplates"] = Array(resource.Volumes.Select(v => (JsonNode)new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = v.Name },
                ["spec"] = new JsonObject
                {
                    ["accessModes"] = Array((JsonNode)(v.IsReadOnly ? "ReadOnlyMany" : "ReadWriteOnce")),
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } },
                },
            })),
        },
    };

    private static JsonObject PodTemplate(DeployedResource resource, ContainerImageOptions options)
    {
        var podSecurity = new JsonObject { ["runAsNonRoot"] = true };
        var uid = resource.IsProject ? DockerfileWriter.AppUid : resource.IsRedis ? RedisUid : (int?)null;
        if (uid is { } id)
        {
            podSecurity["runAsUser"] = id;
            podSecurity["runAsGroup"] = id;
            podSecurity["fsGroup"] = id;
        }

        podSecurity["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" };
        var spec = new JsonObject
        {
            ["automountServiceAccountToken"] = false,
            ["securityContext"] = podSecurity,
        };
        if (resource.GpuCount > 0)
        {
            // GPU nodes are commonly tainted nvidia.com/gpu:NoSchedule; add a nodeSelector in an overlay to pin a GPU pool.
            spec["tolerations"] = Array(new JsonObject { ["key"] = GpuResourceName, ["operator"] = "Exists", ["effect"] = "NoSchedule" });
        }

        spec["containers"] = Array(Container(resource));
        var volumes = new JsonArray { new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject() } };
        spec["volumes"] = volumes;
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = Labels(resource, options) },
            ["spec"] = spec,
        };
    }

    private static JsonObject Container(DeployedResource resource)
    {
        var container = new JsonObject
        {
            ["name"] = resource.Name,
            ["image"] = resource.ImageReference,
            ["imagePullPolicy"] = "IfNotPresent",
        };
        if (resource.Entrypoint is not null)
        {
            container["command"] = Array((JsonNode)resource.Entrypoint);
        }

        if (resource.Args.Count > 0)
        {
            container["args"] = Array(resource.Args.Select(a => (JsonNode)Format(a)));
        }

        if (resource.Ports.Count > 0)
        {
            container["ports"] = Array(resource.Ports.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["containerPort"] = p.TargetPort,
                ["protocol"] = "TCP",
            }));
        }

        if (resource.IsProject)
        {
            container["envFrom"] = Array(new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = $"{resource.Name}-env" } });
        }

        var env = new JsonArray();
        if (resource.IsProject)
        {
            env.Add(new JsonObject { ["name"] = "POD_NAME", ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.name" } } });
            env.Add(new JsonObject { ["name"] = "OTEL_RESOURCE_ATTRIBUTES", ["value"] = "service.instance.id=$(POD_NAME)" });
        }

        var direct = resource.Environment
            .Where(e => e.Value.Parts is [{ Parameter: not null }])
            .ToDictionary(e => e.Key, e => e.Value.Parts[0].Parameter!, StringComparer.Ordinal);
        // Parameters used inside larger values come first, so $(PARAMETER_...) can refer to them.
        var referenced = resource.Parameters.Where(p => resource.Environment.Any(e => e.Value.Parts.Count > 1 && e.Value.Parameters.Contains(p))
                || resource.Args.Any(a => a.Parameters.Contains(p))).ToList();
        foreach (var parameter in referenced)
        {
            env.Add(ParameterVariable(DeploymentModel.ParameterVariable(parameter), parameter));
        }

        foreach (var (key, value) in resource.Environment)
        {
            if (direct.TryGetValue(key, out var parameter))
            {
                env.Add(ParameterVariable(key, parameter));
            }
            else if (!value.IsLiteral || !resource.IsProject)
            {
                env.Add(new JsonObject { ["name"] = key, ["value"] = Format(value) });
            }
        }

        if (env.Count > 0)
        {
            container["env"] = env;
        }

        AddProbes(container, resource);
        var limits = new JsonObject { ["cpu"] = "2", ["memory"] = resource.GpuCount > 0 ? "4Gi" : "512Mi" };
        if (resource.GpuCount > 0)
        {
            limits[GpuResourceName] = resource.GpuCount.ToString(CultureInfo.InvariantCulture);
        }

        container["resources"] = new JsonObject
        {
            ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = resource.GpuCount > 0 ? "1Gi" : "128Mi" },
            ["limits"] = limits,
        };
        container["securityContext"] = new JsonObject
        {
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["runAsNonRoot"] = true,
            ["capabilities"] = new JsonObject { ["drop"] = Array((JsonNode)"ALL") },
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        var mounts = new JsonArray { new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" } };
        foreach (var volume in resource.Volumes)
        {
            mounts.Add(new JsonObject { ["name"] = volume.Name, ["mountPath"] = volume.Target, ["readOnly"] = volume.IsReadOnly });
        }

        container["volumeMounts"] = mounts;
        return container;
    }

    private static void AddProbes(JsonObject container, DeployedResource resource)
    {
        if (resource.StartupProbe is not null || resource.ReadinessProbe is not null || resource.LivenessProbe is not null)
        {
            foreach (var (key, probe) in new[] { ("startupProbe", resource.StartupProbe), ("readinessProbe", resource.ReadinessProbe), ("livenessProbe", resource.LivenessProbe) })
            {
                if (probe is not null)
                {
                    container[key] = HttpProbe(probe);
                }
            }
        }
        else if (resource.IsRedis && resource.Ports.Count > 0)
        {
            var ping = new JsonObject
            {
                ["exec"] = new JsonObject
                {
                    ["command"] = Array("/bin/sh", "-c", $"REDISCLI_AUTH=\"${DeploymentModel.RedisPasswordVariable}\" redis-cli ping | grep -q PONG"),
                },
                ["periodSeconds"] = 5,
                ["timeoutSeconds"] = 3,
            };
            container["readinessProbe"] = ping;
            container["livenessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = resource.Ports[0].Name }, ["periodSeconds"] = 10 };
        }
        else if (resource.Ports.Count > 0)
        {
            container["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = resource.Ports[0].Name }, ["periodSeconds"] = 5 };
        }
    }

    private static JsonObject HttpProbe(DeployedProbe probe)
    {
        var json = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = probe.Path, ["port"] = probe.Port.Name } };
        if (probe.InitialDelaySeconds > 0)
        {
            json["initialDelaySeconds"] = probe.InitialDelaySeconds;
        }

        json["periodSeconds"] = probe.PeriodSeconds;
        json["timeoutSeconds"] = probe.TimeoutSeconds;
        json["failureThreshold"] = probe.FailureThreshold;
        return json;
    }

    private static JsonObject ParameterVariable(string name, ParameterResource parameter) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject
        {
            [parameter.Secret ? "secretKeyRef" : "configMapKeyRef"] = new JsonObject { ["name"] = ParametersName, ["key"] = parameter.Name },
        },
    };

    /// <summary>Kubernetes expands <c>$(VAR)</c> from variables defined before; literal <c>$(</c> is escaped as <c>$$(</c>.</summary>
    private static string Format(DeploymentValue value) =>
        value.Format(p => $"$({DeploymentModel.ParameterVariable(p)})", s => s.Replace("$(", "$$(", StringComparison.Ordinal));

    private static JsonObject Service(DeployedResource resource, ContainerImageOptions options, bool headless)
    {
        var spec = new JsonObject { ["type"] = "ClusterIP" };
        if (headless)
        {
            spec["clusterIP"] = "None";
        }

        spec["selector"] = Selector(resource);
        spec["ports"] = Array(resource.Ports.Select(p =>
        {
            var port = new JsonObject
            {
                ["name"] = p.Name,
                ["port"] = p.TargetPort,
                ["targetPort"] = p.Name,
                ["protocol"] = "TCP",
            };
            if (p.AppProtocol is { } appProtocol)
            {
                port["appProtocol"] = appProtocol;
            }

            return (JsonNode)port;
        }));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(headless ? $"{resource.Name}-headless" : resource.Name, resource, options),
            ["spec"] = spec,
        };
    }

    private static JsonObject Autoscaler(DeployedResource resource, ContainerImageOptions options) => new()
    {
        ["apiVersion"] = "autoscaling/v2",
        ["kind"] = "HorizontalPodAutoscaler",
        ["metadata"] = Metadata(resource.Name, resource, options),
        ["spec"] = new JsonObject
        {
            ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = resource.Name },
            ["minReplicas"] = resource.Replicas,
            ["maxReplicas"] = resource.Replicas * 4,
            ["metrics"] = Array(resource.AutoscalingMetrics.Select(m => (JsonNode)new JsonObject
            {
                // An external metric (e.g. the jobs stream's lag) from the cluster's metrics adapter; replicas follow
                // metric / target. Until an adapter serves it, the HPA scales on CPU alone.
                ["type"] = "External",
                ["external"] = new JsonObject
                {
                    ["metric"] = new JsonObject { ["name"] = m.MetricName },
                    ["target"] = new JsonObject { ["type"] = "AverageValue", ["averageValue"] = m.TargetAverageValue.ToString(CultureInfo.InvariantCulture) },
                },
            }).Prepend(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 70 },
                },
            })),
        },
    };

    private static JsonObject DevOverlay(IReadOnlyList<DeployedResource> resources)
    {
        var overlay = Kustomization();
        overlay["resources"] = Array((JsonNode)"../../base");
        overlay["images"] = Array(resources.Where(r => r.IsProject)
            .Select(r => (JsonNode)new JsonObject { ["name"] = r.Image, ["newTag"] = "dev" }));
        overlay["replicas"] = Array(resources.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["count"] = 1 }));
        var gpu = resources.Where(r => r.GpuCount > 0).ToList();
        if (gpu.Count > 0)
        {
            // Dev clusters rarely have GPUs: drop the GPU request so the pod schedules (the service falls back to CPU).
            overlay["patches"] = Array(gpu.Select(r => (JsonNode)new JsonObject
            {
                ["target"] = new JsonObject { ["kind"] = r.Volumes.Count > 0 ? "StatefulSet" : "Deployment", ["name"] = r.Name },
                ["patch"] = "- op: remove\n  path: /spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu\n"
                    + "- op: remove\n  path: /spec/template/spec/tolerations\n",
            }));
        }

        return overlay;
    }

    private static (JsonObject Overlay, JsonObject? Ingress) ProdOverlay(IReadOnlyList<DeployedResource> resources)
    {
        var overlay = Kustomization();
        var external = resources.SelectMany(r => r.Ports.Where(p => p.IsExternal && p.IsHttp).Select(p => (Resource: r, Port: p))).ToList();
        overlay["resources"] = external.Count > 0 ? Array("../../base", "ingress.yaml") : Array((JsonNode)"../../base");
        overlay["images"] = Array(resources.Where(r => r.IsProject).Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Image,
            // GPU resources run the CUDA variant (docker/<name>/Dockerfile.gpu) in production.
            ["newName"] = $"{ProdRegistry}/{r.Image}{(r.GpuCount > 0 ? "-gpu" : "")}",
            ["newTag"] = "1.0.0",
        }));
        overlay["replicas"] = Array(resources.Where(r => r.Volumes.Count == 0)
            .Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["count"] = Math.Max(2, r.Replicas) }));
        if (external.Count == 0)
        {
            return (overlay, null);
        }

        var ingress = new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = new JsonObject { ["name"] = "public" },
            ["spec"] = new JsonObject
            {
                ["rules"] = Array(external.Select(e => (JsonNode)new JsonObject
                {
                    ["host"] = $"{e.Resource.Name}.example.com",
                    ["http"] = new JsonObject
                    {
                        ["paths"] = Array(new JsonObject
                        {
                            ["path"] = "/",
                            ["pathType"] = "Prefix",
                            ["backend"] = new JsonObject
                            {
                                ["service"] = new JsonObject
                                {
                                    ["name"] = e.Resource.Name,
                                    ["port"] = new JsonObject { ["name"] = e.Port.Name },
                                },
                            },
                        }),
                    },
                })),
            },
        };
        return (overlay, ingress);
    }

    private static JsonObject Kustomization() => new()
    {
        ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
        ["kind"] = "Kustomization",
    };

    private static void ValidateNames(DeployedResource resource)
    {
        foreach (var port in resource.Ports)
        {
            if (port.Name.Length > 15 || !port.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || !port.Name.Any(char.IsAsciiLetterLower))
            {
                throw new DistributedApplicationException(
                    $"Endpoint '{port.Name}' of {resource.Resource} cannot name a Kubernetes port (at most 15 lower-case letters, digits and '-', with a letter).");
            }
        }
    }

    private static JsonArray Array(params JsonNode?[] items) => [.. items];

    private static JsonArray Array(IEnumerable<JsonNode?> items) => [.. items];
}
