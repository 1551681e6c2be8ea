using Dsl.Parquet.Metadata;

namespace Dsl.Parquet.Writing;

/// <summary>
/// Writes one top-level list, map or struct column: describes it as standard Parquet schema elements (3-level
/// lists <c>name (LIST) / list / element</c>, maps <c>name (MAP) / key_value / key, value</c>, structs as groups)
/// and shreds its rows into each leaf's repetition and definition levels (Dremel striping).
/// </summary>
internal sealed class NestedShredder
{
    private readonly Node _root;
    private readonly List<Node> _leaves = [];

    private sealed class Node
    {
        public required ColumnField Field { get; init; }

        public List<Node> Children { get; } = [];

        /// <summary>The definition level when this node holds a value (for a list: when it is non-null and possibly empty).</summary>
        public int Def { get; set; }

        /// <summary>For a list or map, the repetition level of its repeated group.</summary>
        public int Rep { get; set; }

        public int LeafIndex { get; set; } = -1;

        public List<int> Entries { get; } = [];

        public ColumnChunkBuffer? Buffer { get; set; }

        public string[] Path { get; set; } = [];

        public int MaxRep { get; set; }

        // Per-leaf level buffers, filled per batch.
        public List<int> RepLevels { get; } = [];

        public List<int> DefLevels { get; } = [];

        public List<int> Slots { get; } = [];

        public Column? Values { get; set; }
    }

    public NestedShredder(ColumnField field, Func<ColumnField, ColumnChunkBuffer> createLeaf)
    {
        _root = Build(field, 0, 0, [field.Name], createLeaf);
    }

    /// <summary>The leaf buffers, in schema order.</summary>
    public IEnumerable<ColumnChunkBuffer> Buffers => _leaves.Select(l => l.Buffer!);

    private Node Build(ColumnField field, int parentDef, int parentRep, List<string> path, Func<ColumnField, ColumnChunkBuffer> createLeaf)
    {
        var node = new Node { Field = field, Def = parentDef + (field.Nullable ? 1 : 0), Rep = parentRep };
        switch (field.Type)
        {
            case ColumnType.List:
            case ColumnType.Map:
            {
                if (field.Type == ColumnType.List ? field.Children.Count != 1 : field.Children.Count != 2)
                {
                    throw new ArgumentException($"Column '{string.Join('.', path)}' is a {field.Type} with {field.Children.Count} child fields; a list needs one (the element), a map two (key and value).", nameof(field));
                }
                node.Rep = parentRep + 1;
                string group = field.Type == ColumnType.List ? "list" : "key_value";
                foreach (ColumnField child in field.Children)
                {
                    node.Children.Add(Build(child, node.Def + 1, node.Rep, [.. path, group, child.Name], createLeaf));
                }
                break;
            }
            case ColumnType.Struct:
                if (field.Children.Count == 0)
                {
                    throw new ArgumentException($"Struct column '{string.Join('.', path)}' has no members; Parquet groups need at least one.", nameof(field));
                }
                foreach (ColumnField child in field.Children)
                {
                    node.Children.Add(Build(child, node.Def, parentRep, [.. path, child.Name], createLeaf));
                }
                break;
            default:
                node.LeafIndex = _leaves.Count;
                node.Path = [.. path];
                node.MaxRep = parentRep;
                node.Buffer = createLeaf(field);
                node.Buffer.SetNesting(node.Path, parentRep, node.Def);
                _leaves.Add(node);
                break;
        }
        return node;
    }

    /// <summary>The schema elements of the column, depth first.</summary>
    public void AddSchemaElements(List<SchemaElement> schema, Func<ColumnField, SchemaElement> leafElement) => AddElements(_root, schema, leafElement);

    private static void AddElements(Node node, List<SchemaElement> schema, Func<ColumnField, SchemaElement> leafElement)
    {
        ColumnField field = node.Field;
        FieldRepetition repetition = field.Nullable ? FieldRepetition.Optional : FieldRepetition.Required;
        switch (field.Type)
        {
            case ColumnType.List:
            case ColumnType.Map:
            {
                bool list = field.Type == ColumnType.List;
                schema.Add(new SchemaElement
                {
                    Name = field.Name,
                    Repetition = repetition,
                    NumChildren = 1,
                    ConvertedType = list ? ConvertedType.List : ConvertedType.Map,
                    LogicalType = new LogicalType { Kind = list ? LogicalTypeKind.List : LogicalTypeKind.Map },
                });
                schema.Add(new SchemaElement { Name = list ? "list" : "key_value", Repetition = FieldRepetition.Repeated, NumChildren = node.Children.Count });
                foreach (Node child in node.Children)
                {
                    AddElements(child, schema, leafElement);
                }
                break;
            }
            case ColumnType.Struct:
                schema.Add(new SchemaElement { Name = field.Name, Repetition = repetition, NumChildren = node.Children.Count });
                foreach (Node child in node.Children)
                {
                    AddElements(child, schema, leafElement);
                }
                break;
            default:
                schema.Add(leafElement(field));
                break;
        }
    }

    /// <summary>Shreds rows <paramref name="start"/> .. + <paramref name="count"/> of <paramref name="column"/> into the leaf buffers.</summary>
    public void Append(Column column, int start, int count)
    {
        foreach (Node leaf in _leaves)
        {
            leaf.RepLevels.Clear();
            leaf.DefLevels.Clear();
            leaf.Slots.Clear();
            leaf.Values = null;
        }
        for (int row = start; row < start + count; row++)
        {
            Emit(_root, column, row, 0, 0);
        }
        foreach (Node leaf in _leaves)
        {
            Column values = Gather(leaf);
            try
            {
                leaf.Buffer!.AppendLevels(values, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(leaf.RepLevels), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(leaf.DefLevels));
            }
            finally
            {
                values.Dispose();
            }
        }
    }

    private void Emit(Node node, Column column, int index, int rep, int parentDef)
    {
        if (node.LeafIndex >= 0)
        {
            node.Values ??= column;
            bool isNull = column.IsNull(index);
            if (isNull && !node.Field.Nullable)
            {
                throw new ArgumentException($"Column '{string.Join('.', node.Path)}' is not nullable but row {index} of its values is null.", nameof(column));
            }
            Add(node, rep, isNull ? parentDef : node.Def, isNull ? -1 : index);
            return;
        }
        if (column.IsNull(index))
        {
            if (!node.Field.Nullable)
            {
                throw new ArgumentException($"Column '{node.Field.Name}' is not nullable but row {index} of it is null.", nameof(column));
            }
            AddToLeaves(node, rep, parentDef);
            return;
        }
        switch (column)
        {
            case ListColumn list:
            {
                int n = list.Count(index);
                if (n == 0)
                {
                    AddToLeaves(node, rep, node.Def);
                    return;
                }
                int first = list.Start(index);
                for (int k = 0; k < n; k++)
                {
                    int r = k == 0 ? rep : node.Rep;
                    if (list.Type == ColumnType.Map)
                    {
                        var pairs = (StructColumn)list.Values;
                        Emit(node.Children[0], pairs.Children[0], first + k, r, node.Def + 1);
                        Emit(node.Children[1], pairs.Children[1], first + k, r, node.Def + 1);
                    }
                    else
                    {
                        Emit(node.Children[0], list.Values, first + k, r, node.Def + 1);
                    }
                }
                break;
            }
            case StructColumn structs:
                for (int c = 0; c < node.Children.Count; c++)
                {
                    Emit(node.Children[c], structs.Children[c], index, rep, node.Def);
                }
                break;
            default:
                throw new ArgumentException($"Column '{node.Field.Name}' is declared {node.Field.Type} but holds a {column.GetType().Name}.", nameof(column));
        }
    }

    private static void AddToLeaves(Node node, int rep, int def)
    {
        if (node.LeafIndex >= 0)
        {
            Add(node, rep, def, -1);
            return;
        }
        foreach (Node child in node.Children)
        {
            AddToLeaves(child, rep, def);
        }
    }

    private static void Add(Node leaf, int rep, int def, int slot)
    {
        leaf.RepLevels.Add(rep);
        leaf.DefLevels.Add(def);
        leaf.Slots.Add(slot);
    }

    /// <summary>One row per level entry: the leaf's value where the entry holds one, null elsewhere.</summary>
    private static Column Gather(Node leaf)
    {
        List<int> slots = leaf.Slots;
        var selection = new int[slots.Count];
        var validity = new ValidityBitmap(slots.Count);
        for (int i = 0; i < selection.Length; i++)
        {
            selection[i] = Math.Max(slots[i], 0);
            validity.Set(i, slots[i] >= 0);
        }
        Column? source = leaf.Values;
        if (source is null || source.Length == 0)
        {
            // No row reached the leaf with a value: every entry is null.
            return EmptyOf(leaf.Field.Type, selection.Length);
        }
        Column gathered = source switch
        {
            StringColumn c => ColumnGather.Gather(c, selection),
            ListColumn or StructColumn => throw new ArgumentException($"Column '{string.Join('.', leaf.Path)}' holds a {source.GetType().Name}, which cannot be a leaf."),
            _ => source.Accept(new GatherVisitor(selection.ToArray())),
        };
        return WithValidity(gathered, validity);
    }

    private static Column WithValidity(Column column, ValidityBitmap validity)
    {
        // Entries without a slot are null; entries with one take the slot's own validity.
        ValidityBitmap combined = new(column.Length);
        for (int i = 0; i < column.Length; i++)
        {
            combined.Set(i, validity.IsValid(i) && !column.IsNull(i));
        }
        Column result = column switch
        {
            StringColumn c => new StringColumn(c.Type, c.Dictionary, c.Indices.ToArray(), c.Length, combined),
            ListColumn or StructColumn => column,
            _ => column.Accept(new RevalidateVisitor(combined)),
        };
        column.Dispose();
        return result;
    }

    private static Column EmptyOf(ColumnType type, int rows)
    {
        var validity = new ValidityBitmap(rows, allValid: false);
        return type switch
        {
            ColumnType.String or ColumnType.Binary => new StringColumn(type, Utf8Dictionary.Empty, new int[rows], rows, validity),
            ColumnType.Boolean => Empty<bool>(type, rows, validity),
            ColumnType.Int8 => Empty<sbyte>(type, rows, validity),
            ColumnType.Int16 => Empty<short>(type, rows, validity),
            ColumnType.UInt8 => Empty<byte>(type, rows, validity),
            ColumnType.UInt16 => Empty<ushort>(type, rows, validity),
            ColumnType.UInt32 => Empty<uint>(type, rows, validity),
            ColumnType.UInt64 => Empty<ulong>(type, rows, validity),
            ColumnType.Float16 => Empty<Half>(type, rows, validity),
            ColumnType.Float => Empty<float>(type, rows, validity),
            ColumnType.Double => Empty<double>(type, rows, validity),
            ColumnType.Uuid => Empty<Guid>(type, rows, validity),
            ColumnType.Decimal => Empty<Int128>(type, rows, validity),
            ColumnType.Int32 or ColumnType.Date => Empty<int>(type, rows, validity),
            _ => Empty<long>(type, rows, validity),
        };
    }

    private static PrimitiveColumn<T> Empty<T>(ColumnType type, int rows, ValidityBitmap validity)
        where T : unmanaged => PrimitiveColumn<T>.FromArray(type, new T[rows], validity);

    private sealed class GatherVisitor(int[] selection) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => ColumnGather.Gather(column, selection);
    }

    private sealed class RevalidateVisitor(ValidityBitmap validity) : IPrimitiveColumnVisitor<Column>
    {
        public Column Visit<T>(PrimitiveColumn<T> column)
            where T : unmanaged => PrimitiveColumn<T>.FromArray(column.Type, column.Values.ToArray(), validity);
    }
}
