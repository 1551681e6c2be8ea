using System.IO.Compression;
using Dsl.Testing;

namespace Dsl.Torch.Tests;

/// <summary>
/// The build step of buildTransitive/Dsl.Torch.targets: libLibTorchSharp.so in the build output requires GLIBCXX_3.4.21
/// where TorchSharp's requires GLIBCXX_3.4.32, and the NuGet cache's file stays as the package has it.
/// </summary>
public sealed class GlibcxxPatchTests
{
    private const string Library = "libLibTorchSharp.so";
    private const string PackageFile = "runtimes/linux-x64/native/" + Library;

    private static string PackageFolder =>
        Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "torchsharp", "0.107.0");

    [Fact]
    public void TheOutputsCopy_RequiresNoGlibcxx3432_AndTheNuGetCachesIsThePackages()
    {
        string output = Path.Combine(AppContext.BaseDirectory, PackageFile);
        string cache = Path.Combine(PackageFolder, PackageFile);
        AssertAsPackaged(cache);
        var original = ElfVersionNeeds.Read(cache);
        var patched = ElfVersionNeeds.Read(output);
        Assert.Contains(original, n => n.Version == "GLIBCXX_3.4.32");
        if (SystemHasGlibcxx3432())
        {
            // This machine's libstdc++ loads the library as it is: the step leaves it.
            Assert.Equal(File.ReadAllBytes(cache), File.ReadAllBytes(output));
            return;
        }
        AssertLowered(original, patched);
        AssertOtherwiseEqual(cache, output);
    }

    [Fact]
    public void ABuildThatHardLinksCopies_PatchesItsCopy_NotTheCache_OncePerCopy()
    {
        using var folder = TempDirectory.Create("dsl-torch-consumer");
        string model = TorchReference.Build(folder.Combine("linear.pt"), "linear", 3);
        string targets = Path.Combine(RepoPaths.RepoRoot, "runtime", "Dsl.Torch", "buildTransitive", "Dsl.Torch.targets");
        // A program that opens a scorer: Dsl.Torch and Dsl.Runtime as built for these tests, TorchSharp and libtorch
        // from the NuGet cache, every copy a hard link where the build may make one.
        File.WriteAllText(folder.Combine("Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{Path.Combine(AppContext.BaseDirectory, "Dsl.Torch.dll")}" />
                <Reference Include="{Path.Combine(AppContext.BaseDirectory, "Dsl.Runtime.dll")}" />
                <PackageReference Include="TorchSharp" Version="0.107.0" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        File.WriteAllText(folder.Combine("Program.cs"), """
            try
            {
                using var scorer = new Dsl.Torch.TorchScorer(args[0], 3, 1);
                System.Console.WriteLine("loaded");
            }
            catch (System.InvalidOperationException e)
            {
                System.Console.WriteLine(e.Message);
            }
            """);
        string cache = Path.Combine(PackageFolder, PackageFile);
        string copy = folder.Combine("bin/Debug/net10.0/" + PackageFile);

        // Without the step the copy is the cache's file itself, a hard link: writing into it would change the cache.
        // Where libstdc++ lacks GLIBCXX_3.4.32 it does not load, and the scorer says what to do.
        Build(folder.Path, "-p:DslTorchPatchGlibcxx=false");
        Assert.Equal(Inode(cache), Inode(copy));
        string run = Run("dotnet", folder.Combine("bin/Debug/net10.0/Consumer.dll"), model);
        // (TorchSharp writes its own message to stdout first.)
        Assert.Contains(SystemHasGlibcxx3432() ? "loaded" : "TorchSharp's native library did not load. Where libstdc++ is older than GCC 13's", run, StringComparison.Ordinal);

        string log = Build(folder.Path, "-p:DslTorchPatchGlibcxx=true");
        Assert.Contains("Dsl.Torch: lowered " + copy + "'s requirement of GLIBCXX_3.4.32 to GLIBCXX_3.4.21.", log, StringComparison.Ordinal);
        Assert.NotEqual(Inode(cache), Inode(copy));
        AssertAsPackaged(cache);
        AssertLowered(ElfVersionNeeds.Read(cache), ElfVersionNeeds.Read(copy));
        AssertOtherwiseEqual(cache, copy);
        Assert.Equal("loaded", Run("dotnet", folder.Combine("bin/Debug/net10.0/Consumer.dll"), model).Trim());
        Assert.True(SystemHasGlibcxx3432() || !run.Contains("loaded", StringComparison.Ordinal), run);
        byte[] patched = File.ReadAllBytes(copy);

        // Copy leaves the patched file (it kept the package file's size and time), and the step leaves it too.
        log = Build(folder.Path, "-p:DslTorchPatchGlibcxx=true");
        Assert.DoesNotContain("Dsl.Torch: lowered", log, StringComparison.Ordinal);
        Assert.Equal(patched, File.ReadAllBytes(copy));

        // An output folder emptied (obj kept): copied and patched again.
        File.Delete(copy);
        log = Build(folder.Path, "-p:DslTorchPatchGlibcxx=true");
        Assert.Contains("Dsl.Torch: lowered " + copy, log, StringComparison.Ordinal);
        Assert.Equal(patched, File.ReadAllBytes(copy));
        AssertAsPackaged(cache);
    }

    // The one GLIBCXX_3.4.32 entry now names GLIBCXX_3.4.21 with the hash the linker gave GLIBCXX_3.4.21's own entry.
    private static void AssertLowered(List<(string Library, string Version, uint Hash)> original, List<(string Library, string Version, uint Hash)> patched)
    {
        Assert.DoesNotContain(patched, n => n.Version == "GLIBCXX_3.4.32");
        int index = original.FindIndex(n => n.Version == "GLIBCXX_3.4.32");
        (string library, string version, uint hash) = original.Single(n => n.Version == "GLIBCXX_3.4.21");
        Assert.Equal(("libstdc++.so.6", "GLIBCXX_3.4.21", hash), patched[index]);
        for (int i = 0; i < original.Count; i++)
        {
            Assert.Equal(i == index ? (library, version, hash) : original[i], patched[i]);
        }
    }

    // Only the entry's hash and name offset (8 bytes) differ.
    private static void AssertOtherwiseEqual(string original, string patched)
    {
        byte[] a = File.ReadAllBytes(original), b = File.ReadAllBytes(patched);
        Assert.Equal(a.Length, b.Length);
        int[] differ = Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToArray();
        Assert.NotEmpty(differ);
        Assert.True(differ[^1] - differ[0] < 12, "bytes differ from " + differ[0] + " to " + differ[^1]);
    }

    // The extracted file is byte for byte the one in TorchSharp's .nupkg.
    private static void AssertAsPackaged(string cache)
    {
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(PackageFolder, "torchsharp.0.107.0.nupkg"));
        using var packaged = new MemoryStream();
        using (Stream entry = package.GetEntry(PackageFile)!.Open())
        {
            entry.CopyTo(packaged);
        }
        Assert.True(packaged.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(cache)), cache + " is not the file TorchSharp's package holds");
    }

    // Whether this machine's libstdc++ defines the version (its name is a string of its .dynstr).
    private static bool SystemHasGlibcxx3432()
    {
        const string LibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        return File.Exists(LibStdCxx) && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(LibStdCxx)).Contains("\0GLIBCXX_3.4.32\0", StringComparison.Ordinal);
    }

    private static string Inode(string path) => Run("stat", "-c", "%i", path).Trim();

    private static string Build(string folder, string property) =>
        Run("dotnet", "build", folder, "-nologo", "-v:n", property);

    private static string Run(string program, params string[] arguments) => Programs.Run(program, arguments);
}
