namespace Dsl.Torch.Tests;

/// <summary>
/// The symbol versions an ELF64 shared library requires (its .gnu.version_r section), read independently of the build
/// step that rewrites them: (library, version name, the entry's ELF hash).
/// </summary>
internal static class ElfVersionNeeds
{
    public static List<(string Library, string Version, uint Hash)> Read(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        Assert.True(elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) && elf[4] == 2, path + " is not an ELF64 file");
        var headers = new List<(uint Type, long Offset, int Link, int Info)>();
        long table = BitConverter.ToInt64(elf, 0x28);
        int size = BitConverter.ToUInt16(elf, 0x3a);
        for (int s = 0; s < BitConverter.ToUInt16(elf, 0x3c); s++)
        {
            int h = (int)(table + s * size);
            headers.Add((BitConverter.ToUInt32(elf, h + 4), BitConverter.ToInt64(elf, h + 0x18), BitConverter.ToInt32(elf, h + 0x28), BitConverter.ToInt32(elf, h + 0x2c)));
        }
        var needs = headers.Single(h => h.Type == 0x6ffffffe);
        long strings = headers[needs.Link].Offset;
        string Text(long offset) => System.Text.Encoding.ASCII.GetString(elf, (int)offset, Array.IndexOf(elf, (byte)0, (int)offset) - (int)offset);

        var result = new List<(string, string, uint)>();
        long need = needs.Offset;
        for (int n = 0; n < needs.Info; n++)
        {
            string library = Text(strings + BitConverter.ToUInt32(elf, (int)need + 4));
            long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (int a = 0; a < BitConverter.ToUInt16(elf, (int)need + 2); a++)
            {
                result.Add((library, Text(strings + BitConverter.ToUInt32(elf, (int)aux + 8)), BitConverter.ToUInt32(elf, (int)aux)));
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            need += BitConverter.ToUInt32(elf, (int)need + 12);
        }
        return result;
    }
}
