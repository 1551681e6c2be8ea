using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Reading;

/// <summary>
/// How one field of the schema tree is assembled from its leaves' repetition and definition levels. A level entry
/// <c>i</c> of a leaf under this field is a <em>slot</em> of the field (a row of the field's column) when
/// <c>def[i] &gt;= SlotDef</c> and <c>rep[i] &lt;= SlotRep</c>; within a slot the field is non-null when
/// <c>def[i] &gt;= ValueDef</c>.
/// </summary>
internal abstract class FieldPlan
{
    protected FieldPlan(ColumnField field, string path, int valueDef, int slotDef, int slotRep)
    {
        Field = field;
        Path = path;
        ValueDef = valueDef;
        SlotDef = slotDef;
        SlotRep = slotRep;
    }

    /// <summary>The batch field this node reads as.</summary>
    public ColumnField Field { get; }

    /// <summary>The dotted path of the node in the Parquet schema.</summary>
    public string Path { get; }

    /// <summary>The definition level from which the node holds a value (is not null).</summary>
    public int ValueDef { get; }

    /// <summary>The definition level from which a level entry is a slot of this node.</summary>
    public int SlotDef { get; }

    /// <summary>The highest repetition level at which a level entry starts a new slot of this node.</summary>
    public int SlotRep { get; }

    /// <summary>The leaf whose levels describe this node's slots (the first leaf under it).</summary>
    public abstract LeafPlan FirstLeaf { get; }

    /// <summary>Whether the entry is a slot of this node.</summary>
    public bool IsSlot(int rep, int def) => def >= SlotDef && rep <= SlotRep;

    /// <summary>Every leaf under this node, in schema order.</summary>
    public IEnumerable<LeafPlan> Leaves() => this switch
    {
        LeafPlan leaf => [leaf],
        StructPlan s => s.Children.SelectMany(c => c.Leaves()),
        ListPlan l => l.Element.Leaves(),
        _ => [],
    };

    /// <summary>Sets <see cref="LeafPlan.RepetitionDefinitionLevels"/> on every leaf under this top-level node.</summary>
    public void AssignRepetitionLevels() => Assign(this, []);

    private static void Assign(FieldPlan plan, List<int> defs)
    {
        switch (plan)
        {
            case LeafPlan leaf:
                leaf.RepetitionDefinitionLevels = [.. defs];
                break;
            case StructPlan s:
                foreach (FieldPlan child in s.Children)
                {
                    Assign(child, defs);
                }
                break;
            case ListPlan l:
                defs.Add(l.Element.SlotDef);
                Assign(l.Element, defs);
                defs.RemoveAt(defs.Count - 1);
                break;
        }
    }
}

/// <summary>A leaf column (one column chunk per row group).</summary>
internal sealed class LeafPlan : FieldPlan
{
    public LeafPlan(ColumnField field, string path, int valueDef, int slotDef, int slotRep, SchemaElement element, int leafIndex, int maxRep, ValueConversion conversion)
        : base(field, path, valueDef, slotDef, slotRep)
    {
        Element = element;
        LeafIndex = leafIndex;
        MaxRep = maxRep;
        Conversion = conversion;
    }

    public SchemaElement Element { get; }

    public int LeafIndex { get; }

    /// <summary>The column's maximum definition level (equal to <see cref="FieldPlan.ValueDef"/>).</summary>
    public int MaxDef => ValueDef;

    /// <summary>The column's maximum repetition level.</summary>
    public int MaxRep { get; }

    public ValueConversion Conversion { get; }

    /// <summary>
    /// For each repetition level r (1 .. <see cref="MaxRep"/>), at index r - 1, the definition level of the repeated
    /// node at that level: an entry repeating at level r must be defined at least that far.
    /// </summary>
    public int[] RepetitionDefinitionLevels { get; set; } = [];

    /// <summary>Whether the column is flat: one level entry a row, definition level 0 or 1, no repetition.</summary>
    public bool IsFlat => MaxRep == 0 && MaxDef <= 1 && SlotDef == 0;

    public override LeafPlan FirstLeaf => this;
}

/// <summary>A struct (a group without list or map annotation).</summary>
internal sealed class StructPlan : FieldPlan
{
    public StructPlan(ColumnField field, string path, int valueDef, int slotDef, int slotRep, FieldPlan[] children)
        : base(field, path, valueDef, slotDef, slotRep)
    {
        Children = children;
    }

    public FieldPlan[] Children { get; }

    public override LeafPlan FirstLeaf => Children[0].FirstLeaf;
}

/// <summary>A list or map: the repeated node's entries (the element's <see cref="FieldPlan.SlotDef"/> and <see cref="FieldPlan.SlotRep"/>) are its elements.</summary>
internal sealed class ListPlan : FieldPlan
{
    public ListPlan(ColumnField field, string path, int valueDef, int slotDef, int slotRep, FieldPlan element)
        : base(field, path, valueDef, slotDef, slotRep)
    {
        Element = element;
    }

    /// <summary>The element (for a map, the key/value struct); its slots are this list's elements.</summary>
    public FieldPlan Element { get; }

    public override LeafPlan FirstLeaf => Element.FirstLeaf;
}
