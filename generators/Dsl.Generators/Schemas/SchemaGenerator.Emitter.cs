using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Schemas;

public sealed partial class SchemaGenerator
{
    /// <summary>Writes the source completing a schema record, from its spec only.</summary>
    internal static class Emitter
    {
        public static string HintName(SchemaSpec spec) =>
            (spec.Namespace.Length > 0 ? spec.Namespace + "." : string.Empty)
            + string.Concat(Outer(spec))
            + spec.Name + ".Schema.g.cs";

        /// <summary>
        /// The members in scope in the generated code that the compilation's declarations do not list: the record's
        /// columns (positional properties are synthesized) and the members of the generated <c>Columns</c> struct.
        /// The <c>BatchSchema</c> property is not among them: its type has its name, and C# lets such a name mean
        /// either (the "Color Color" rule).
        /// </summary>
        public static System.Collections.Generic.IEnumerable<string> MemberNames(SchemaSpec spec)
        {
            yield return "ReadRow";
            yield return "ReadRows";
            yield return "ToBatch";
            yield return "Columns";
            yield return "RowCount";
            foreach (ColumnSpec column in spec.Columns)
            {
                yield return column.MemberName;
                yield return column.MemberName + "Column";
            }
        }

        public static string Emit(SchemaSpec spec)
        {
            var w = new SourceWriter();
            w.WriteHeader(spec.Namespace);
            string self = spec.FullTypeName;
            int depth = TypeDeclarationWriter.Open(
                w,
                spec.ContainingTypes,
                "partial " + spec.DeclarationKeyword + " " + spec.Name + " : global::Dsl.IRowSchema<" + self + ">");

            WriteBatchSchema(w, spec);
            w.WriteLine();
            WriteReadRow(w, spec);
            w.WriteLine();
            WriteReadRows(w, spec);
            w.WriteLine();
            WriteToBatch(w, spec);
            w.WriteLine();
            WriteColumns(w, spec);

            TypeDeclarationWriter.Close(w, depth);
            return w.ToString();
        }

        private static void WriteBatchSchema(SourceWriter w, SchemaSpec spec)
        {
            w.WriteLine("/// <summary>The columns of <see cref=\"" + spec.Name + "\"/> rows, in declaration order.</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public static global::Dsl.BatchSchema BatchSchema { get; } = new global::Dsl.BatchSchema(");
            w.Indent();
            for (int i = 0; i < spec.Columns.Count; i++)
            {
                ColumnSpec c = spec.Columns[i];
                string separator = i == spec.Columns.Count - 1 ? ");" : ",";
                w.WriteLine("new global::Dsl.ColumnField(" + SourceWriter.Literal(c.ColumnName) + ", " + c.ColumnTypeExpression + ", " + (c.Nullable ? "true" : "false") + ")" + c.FieldInitializer() + separator);
            }
            if (spec.Columns.Count == 0)
            {
                w.WriteLine("global::System.Array.Empty<global::Dsl.ColumnField>());");
            }
            w.Unindent();
        }

        private static void WriteReadRow(SourceWriter w, SchemaSpec spec)
        {
            w.WriteLine("/// <summary>Row <paramref name=\"row\"/> of <paramref name=\"batch\"/> as a record (columns found by name, types checked).</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public static " + spec.FullTypeName + " ReadRow(global::Dsl.RecordBatch batch, int row) => new Columns(batch).ReadRow(row);");
        }

        private static void WriteReadRows(SourceWriter w, SchemaSpec spec)
        {
            string list = "global::System.Collections.Generic.List<" + spec.FullTypeName + ">";
            w.WriteLine("/// <summary>Every row of <paramref name=\"batch\"/> as records; the columns are resolved once.</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public static " + list + " ReadRows(global::Dsl.RecordBatch batch)");
            w.OpenBrace();
            w.WriteLine("var columns = new Columns(batch);");
            w.WriteLine("var rows = new " + list + "(columns.RowCount);");
            w.WriteLine("for (int i = 0; i < columns.RowCount; i++)");
            w.OpenBrace();
            w.WriteLine("rows.Add(columns.ReadRow(i));");
            w.CloseBrace();
            w.WriteLine("return rows;");
            w.CloseBrace();
        }

        private static void WriteToBatch(SourceWriter w, SchemaSpec spec)
        {
            w.WriteLine("/// <summary>A batch holding <paramref name=\"rows\"/>; the caller disposes it.</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public static global::Dsl.RecordBatch ToBatch(global::System.Collections.Generic.IReadOnlyList<" + spec.FullTypeName + "> rows)");
            w.OpenBrace();
            w.WriteLine("int count = rows.Count;");
            foreach (ColumnSpec c in spec.Columns)
            {
                string local = SourceWriter.Camel(c.MemberName);
                if (c.IsList)
                {
                    w.WriteLine("var " + local + "Builder = new " + c.ListBuilder + ", count);");
                }
                else if (c.IsByteArray)
                {
                    w.WriteLine("var " + local + "Builder = new " + c.ByteArrayBuilder + "(" + c.ColumnTypeExpression + ", count);");
                }
                else
                {
                    w.WriteLine("var " + local + "Builder = new global::Dsl.ColumnBuilder<" + c.StorageType + ">(" + c.ColumnTypeExpression + ", count, nullable: " + (c.Nullable ? "true" : "false") + ");");
                    w.WriteLine("global::System.Span<" + c.StorageType + "> " + local + "Values = " + local + "Builder.Values;");
                }
            }
            w.WriteLine("for (int i = 0; i < count; i++)");
            w.OpenBrace();
            w.WriteLine(spec.FullTypeName + " row = rows[i];");
            foreach (ColumnSpec c in spec.Columns)
            {
                string local = SourceWriter.Camel(c.MemberName);
                if (c.IsByteArray || c.IsList)
                {
                    w.WriteLine(local + "Builder.Append(row." + c.MemberName + ");");
                }
                else if (c.Nullable)
                {
                    w.WriteLine("if (row." + c.MemberName + " is { } " + local + "Value)");
                    w.OpenBrace();
                    w.WriteLine(local + "Values[i] = " + Store(c, local + "Value") + ";");
                    w.CloseBrace();
                    w.WriteLine("else");
                    w.OpenBrace();
                    w.WriteLine(local + "Builder.Validity!.Set(i, false);");
                    w.CloseBrace();
                }
                else
                {
                    w.WriteLine(local + "Values[i] = " + Store(c, "row." + c.MemberName) + ";");
                }
            }
            w.CloseBrace();
            w.WriteLine("var columns = new global::Dsl.Column[]");
            w.OpenBrace();
            foreach (ColumnSpec c in spec.Columns)
            {
                string local = SourceWriter.Camel(c.MemberName);
                w.WriteLine(local + "Builder.Build(" + (c.IsByteArray || c.IsList ? string.Empty : "count") + "),");
            }
            w.CloseBrace(";");
            w.WriteLine("return new global::Dsl.RecordBatch(BatchSchema, columns, count);");
            w.CloseBrace();
        }

        private static void WriteColumns(SourceWriter w, SchemaSpec spec)
        {
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Typed access to the columns of a batch of <see cref=\"" + spec.Name + "\"/> rows: each member's column and,");
            w.WriteLine("/// for fixed-width members, its values as a span (timestamps as microseconds since the Unix epoch).");
            w.WriteLine("/// </summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public readonly ref struct Columns");
            w.OpenBrace();
            w.WriteLine("/// <summary>Finds every column of the schema in <paramref name=\"batch\"/> and checks its type and nulls.</summary>");
            w.WriteLine("/// <exception cref=\"global::System.Collections.Generic.KeyNotFoundException\">A column is missing.</exception>");
            w.WriteLine("/// <exception cref=\"global::System.InvalidOperationException\">A column has another type, or holds nulls for a member that is not nullable.</exception>");
            w.WriteLine("public Columns(global::Dsl.RecordBatch batch)");
            w.OpenBrace();
            w.WriteLine("RowCount = batch.RowCount;");
            foreach (ColumnSpec c in spec.Columns)
            {
                string name = SourceWriter.Literal(c.ColumnName);
                if (c.IsList)
                {
                    w.WriteLine(c.MemberName + "Column = batch.GetList(" + name + ", " + c.ElementSpec.ColumnTypeExpression + ");");
                }
                else if (c.IsByteArray)
                {
                    w.WriteLine(c.MemberName + "Column = batch.GetString(" + name + ", " + c.ColumnTypeExpression + ");");
                }
                else
                {
                    w.WriteLine(c.MemberName + "Column = batch.GetPrimitive<" + c.StorageType + ">(" + name + ", " + c.ColumnTypeExpression + ");");
                    w.WriteLine(c.MemberName + " = " + c.MemberName + "Column.Values;");
                }
                if (!c.Nullable)
                {
                    w.WriteLine("if (" + c.MemberName + "Column.NullCount > 0)");
                    w.OpenBrace();
                    w.WriteLine("throw new global::System.InvalidOperationException(" + SourceWriter.SplitLiteral(
                        "Column '" + c.ColumnName + "' holds null rows, but member '" + spec.Name + "." + c.MemberName
                        + "' is not nullable. Declare the member nullable or drop the null rows first.") + ");");
                    w.CloseBrace();
                }
            }
            w.CloseBrace();
            w.WriteLine();
            w.WriteLine("/// <summary>Number of rows.</summary>");
            w.WriteLine("public int RowCount { get; }");
            foreach (ColumnSpec c in spec.Columns)
            {
                w.WriteLine();
                if (c.IsList)
                {
                    w.WriteLine("/// <summary>The column of <see cref=\"" + spec.Name + "." + c.MemberName + "\"/>.</summary>");
                    w.WriteLine("public global::Dsl.ListColumn " + c.MemberName + "Column { get; }");
                }
                else if (c.IsByteArray)
                {
                    w.WriteLine("/// <summary>The column of <see cref=\"" + spec.Name + "." + c.MemberName + "\"/>.</summary>");
                    w.WriteLine("public global::Dsl.StringColumn " + c.MemberName + "Column { get; }");
                }
                else
                {
                    w.WriteLine("/// <summary>The column of <see cref=\"" + spec.Name + "." + c.MemberName + "\"/>.</summary>");
                    w.WriteLine("public global::Dsl.PrimitiveColumn<" + c.StorageType + "> " + c.MemberName + "Column { get; }");
                    w.WriteLine();
                    w.WriteLine("/// <summary>The values of <see cref=\"" + spec.Name + "." + c.MemberName + "\"/>" + (c.Nullable ? " (check the column's validity for nulls)" : string.Empty) + ".</summary>");
                    w.WriteLine("public global::System.ReadOnlySpan<" + c.StorageType + "> " + c.MemberName + " { get; }");
                }
            }
            w.WriteLine();
            w.WriteLine("/// <summary>Row <paramref name=\"row\"/> as a record.</summary>");
            w.WriteLine("public " + spec.FullTypeName + " ReadRow(int row) => new " + spec.FullTypeName + "(");
            w.Indent();
            for (int i = 0; i < spec.Columns.Count; i++)
            {
                ColumnSpec c = spec.Columns[i];
                w.WriteLine(Load(c) + (i == spec.Columns.Count - 1 ? ");" : ","));
            }
            if (spec.Columns.Count == 0)
            {
                w.WriteLine(");");
            }
            w.Unindent();
            w.CloseBrace();
        }

        private static string Load(ColumnSpec c)
        {
            if (c.IsString)
            {
                return c.MemberName + "Column.GetString(row)" + (c.Nullable ? string.Empty : "!");
            }
            if (c.IsList)
            {
                string elements = c.ListLoad(c.MemberName + "Column", "row");
                return c.Nullable ? c.MemberName + "Column.IsNull(row) ? null : " + elements : elements;
            }
            if (c.IsByteArray)
            {
                // A copy: the member's array is the caller's to change.
                string bytes = c.MemberName + "Column.GetBytes(row).ToArray()";
                return c.Nullable ? c.MemberName + "Column.IsNull(row) ? null : " + bytes : bytes;
            }
            string value = c.FromStorage(c.MemberName + "[row]");
            return c.Nullable ? c.MemberName + "Column.IsNull(row) ? (" + c.ClrType + ")null : " + value : value;
        }

        private static string Store(ColumnSpec c, string value) => c.ToStorage(value);

        private static System.Collections.Generic.IEnumerable<string> Outer(SchemaSpec spec)
        {
            foreach (string declaration in spec.ContainingTypes)
            {
                int space = declaration.LastIndexOf(' ');
                yield return declaration.Substring(space + 1) + ".";
            }
        }
    }
}
