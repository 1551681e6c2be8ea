using System.Text.Json;
using Dsl.Testing;

namespace Dsl.Onnx.Tests;

/// <summary>Runs tests/tools/scoring/onnx-models.py (Debian's python3-onnx) to build a test model.</summary>
internal static class OnnxModels
{
    /// <summary>Builds what <paramref name="arguments"/> ask for and returns what the script prints (weights, as JSON).</summary>
    public static JsonElement Build(string arguments) =>
        JsonDocument.Parse(Programs.Python("scoring/onnx-models.py", Programs.Words(arguments), "tests/tools/install-python-deps.sh installs python3-onnx")).RootElement.Clone();
}
