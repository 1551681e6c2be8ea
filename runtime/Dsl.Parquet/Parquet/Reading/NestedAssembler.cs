namespace Dsl.Parquet.Reading;

/// <summary>
/// Builds list, map and struct columns from the leaf columns of one row group and the leaves' repetition and
/// definition levels (Dremel record assembly, one pass over the levels per nested node).
/// </summary>
/// <remarks>
/// Each leaf's levels were checked while decoding (levels within their maxima, repetition only inside lists that
/// exist), so every element entry falls inside an open list here. What is checked here is that the leaves of one
/// struct or list agree on the number of slots, which hostile files can break.
/// </remarks>
internal static class NestedAssembler
{
    /// <summary>One decoded leaf: its column of slots and its levels.</summary>
    public readonly record struct LeafRead(Column Column, LevelState Levels);

    public static Column Build(FieldPlan plan, IReadOnlyDictionary<LeafPlan, LeafRead> leaves, ChunkLocation location) => plan switch
    {
        LeafPlan leaf => leaves[leaf].Column,
        StructPlan s => BuildStruct(s, leaves, location),
        ListPlan l => BuildList(l, leaves, location),
        _ => throw new InvalidOperationException($"Unknown plan node {plan.GetType().Name}."),
    };

    private static Column BuildStruct(StructPlan plan, IReadOnlyDictionary<LeafPlan, LeafRead> leaves, ChunkLocation location)
    {
        LevelState levels = leaves[plan.FirstLeaf].Levels;
        ReadOnlySpan<int> rep = levels.Repetition;
        ReadOnlySpan<int> def = levels.Definition;
        int length = CountSlots(plan, rep, def);
        var validity = new ValidityBitmap(length);
        int slot = 0;
        for (int i = 0; i < rep.Length; i++)
        {
            int d = def[i];
            if (d >= plan.SlotDef && rep[i] <= plan.SlotRep)
            {
                if (d < plan.ValueDef)
                {
                    validity.Set(slot, false);
                }
                slot++;
            }
        }
        var children = new Column[plan.Children.Length];
        for (int c = 0; c < children.Length; c++)
        {
            children[c] = Build(plan.Children[c], leaves, location);
            if (children[c].Length != length)
            {
                throw location.Error($"Struct '{plan.Path}' has {length} rows by the levels of '{plan.FirstLeaf.Path}' but member '{plan.Children[c].Path}' has {children[c].Length}; the column chunks disagree.");
            }
        }
        return new StructColumn(length, children, validity.CountNulls() == 0 ? null : validity);
    }

    private static Column BuildList(ListPlan plan, IReadOnlyDictionary<LeafPlan, LeafRead> leaves, ChunkLocation location)
    {
        LevelState levels = leaves[plan.FirstLeaf].Levels;
        ReadOnlySpan<int> rep = levels.Repetition;
        ReadOnlySpan<int> def = levels.Definition;
        int length = CountSlots(plan, rep, def);
        var offsets = new int[length + 1];
        var validity = new ValidityBitmap(length);
        FieldPlan element = plan.Element;
        int row = -1;
        int elements = 0;
        for (int i = 0; i < rep.Length; i++)
        {
            int r = rep[i];
            int d = def[i];
            if (d >= plan.SlotDef && r <= plan.SlotRep)
            {
                row++;
                offsets[row] = elements;
                if (d < plan.ValueDef)
                {
                    validity.Set(row, false);
                }
            }
            if (d >= element.SlotDef && r <= element.SlotRep)
            {
                if (row < 0)
                {
                    throw location.Error($"List '{plan.Path}' has an element before its first row.");
                }
                elements++;
            }
        }
        offsets[length] = elements;
        Column values = Build(element, leaves, location);
        if (values.Length != elements)
        {
            values.Dispose();
            throw location.Error($"List '{plan.Path}' has {elements} elements by the levels of '{plan.FirstLeaf.Path}' but its element column has {values.Length}; the column chunks disagree.");
        }
        return new ListColumn(plan.Field.Type, offsets, length, values, validity.CountNulls() == 0 ? null : validity);
    }

    private static int CountSlots(FieldPlan plan, ReadOnlySpan<int> rep, ReadOnlySpan<int> def)
    {
        int count = 0;
        for (int i = 0; i < rep.Length; i++)
        {
            if (def[i] >= plan.SlotDef && rep[i] <= plan.SlotRep)
            {
                count++;
            }
        }
        return count;
    }
}
