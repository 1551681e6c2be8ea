using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Lowers libLibTorchSharp.so's one requirement of GLIBCXX_3.4.32 (GCC 13's libstdc++) to GLIBCXX_3.4.21, which any
/// libstdc++ since GCC 5 has, in copies in a build's or publish's output folder. TorchSharp 0.107 is linked against GCC
/// 13, which asks for <c>std::ios_base_library_init()</c> at that version, but nothing binds the symbol (it has no
/// relocation): only the version check stops the library from loading on Debian 12 (libstdc++ 3.4.30). Compiled by
/// RoslynCodeTaskFactory from Dsl.Torch.targets, so that a consumer's build needs no tool of its own.
/// </summary>
public sealed class DslTorchLowerGlibcxx : Task
{
    private const uint VersionNeeds = 0x6ffffffe; // SHT_GNU_verneed
    private const string Wanted = "GLIBCXX_3.4.32";
    private const string Lowered = "GLIBCXX_3.4.21";

    /// <summary>The output copies of libLibTorchSharp.so.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary><c>auto</c>: unless this machine's libstdc++ has GLIBCXX_3.4.32; <c>true</c>: always; <c>false</c>: never.</summary>
    public string Mode { get; set; } = "auto";

    public override bool Execute()
    {
        if (Mode == "false" || Files.Length == 0)
        {
            return true;
        }
        if (Mode == "auto" && SystemHasWanted())
        {
            Log.LogMessage(MessageImportance.Low, "Dsl.Torch: this machine's libstdc++ has " + Wanted + "; libLibTorchSharp.so is left as it is.");
            return true;
        }
        foreach (ITaskItem item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                Lower(path);
            }
            catch (Exception e)
            {
                Log.LogError(null, "DSL5801", null, path, 0, 0, 0, 0, "Dsl.Torch cannot lower the GLIBCXX_3.4.32 requirement of " + path + ": " + e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    private void Lower(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("it is not a little-endian ELF64 file.");
        }
        long sections = (long)BitConverter.ToUInt64(elf, 0x28);
        int size = BitConverter.ToUInt16(elf, 0x3a), count = BitConverter.ToUInt16(elf, 0x3c);
        for (int s = 0; s < count; s++)
        {
            int header = checked((int)(sections + (long)s * size));
            if (BitConverter.ToUInt32(elf, header + 4) != VersionNeeds)
            {
                continue;
            }
            int needs = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            int strings = checked((int)BitConverter.ToUInt64(elf, checked((int)(sections + (long)BitConverter.ToUInt32(elf, header + 0x28) * size)) + 0x18));
            int wanted = -1, lowered = -1;
            // Elf64_Verneed {vn_version, vn_cnt: u16; vn_file, vn_aux, vn_next: u32}, then Elf64_Vernaux {vna_hash: u32;
            // vna_flags, vna_other: u16; vna_name, vna_next: u32}, each chain linked by byte offsets.
            for (int n = 0, need = needs, entries = (int)BitConverter.ToUInt32(elf, header + 0x2c); n < entries; n++, need += (int)BitConverter.ToUInt32(elf, need + 12))
            {
                for (int a = 0, aux = need + (int)BitConverter.ToUInt32(elf, need + 8), auxes = BitConverter.ToUInt16(elf, need + 2); a < auxes; a++, aux += (int)BitConverter.ToUInt32(elf, aux + 12))
                {
                    string name = Name(elf, strings + (int)BitConverter.ToUInt32(elf, aux + 8));
                    wanted = name == Wanted ? aux : wanted;
                    lowered = name == Lowered ? aux : lowered;
                }
            }
            if (wanted < 0)
            {
                Log.LogMessage(MessageImportance.Low, "Dsl.Torch: " + path + " does not require " + Wanted + ".");
                return;
            }
            if (lowered < 0)
            {
                throw new InvalidDataException("it does not also require " + Lowered + ", whose name the lowered requirement would share.");
            }
            Array.Copy(BitConverter.GetBytes(Hash(Lowered)), 0, elf, wanted, 4);
            Array.Copy(elf, lowered + 8, elf, wanted + 8, 4);
            // A new file rather than a write into this one: the copy may be a hard link into the NuGet cache.
            DateTime written = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".dsl-torch";
            File.WriteAllBytes(temporary, elf);
            File.Delete(path);
            File.Move(temporary, path);
            // The copy's time stays the package file's, so that the next build's Copy (same size, same time) skips it.
            File.SetLastWriteTimeUtc(path, written);
            Log.LogMessage(MessageImportance.Normal, "Dsl.Torch: lowered " + path + "'s requirement of " + Wanted + " to " + Lowered + ".");
            return;
        }
        throw new InvalidDataException("it has no .gnu.version_r section.");
    }

    private static bool SystemHasWanted()
    {
        foreach (string library in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6" })
        {
            if (File.Exists(library))
            {
                return Contains(File.ReadAllBytes(library), Encoding.ASCII.GetBytes("\0" + Wanted + "\0"));
            }
        }
        return false;
    }

    // The version names a library defines sit in its .dynstr as NUL-terminated strings.
    private static bool Contains(byte[] bytes, byte[] text)
    {
        for (int i = Array.IndexOf(bytes, text[0]); i >= 0 && i <= bytes.Length - text.Length; i = Array.IndexOf(bytes, text[0], i + 1))
        {
            int k = 1;
            while (k < text.Length && bytes[i + k] == text[k])
            {
                k++;
            }
            if (k == text.Length)
            {
                return true;
            }
        }
        return false;
    }

    private static string Name(byte[] elf, int offset)
    {
        int end = Array.IndexOf(elf, (byte)0, offset);
        return Encoding.ASCII.GetString(elf, offset, end - offset);
    }

    // The System V ABI's ELF hash of a symbol or version name.
    private static uint Hash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0)
            {
                h ^= g >> 24;
            }
            h &= ~g;
        }
        return h;
    }
}
