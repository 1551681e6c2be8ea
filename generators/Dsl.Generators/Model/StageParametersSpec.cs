using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One positional member of a stage parameter type.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The member (and constructor parameter) name.</param>
/// <param name="Kind">The <c>Dsl.Execution.ParameterType</c> member name.</param>
/// <param name="ClrType">Its C# type, fully qualified.</param>
internal sealed record ParameterMemberSpec(string Name, string Kind, string ClrType);

/// <summary>
/// The parameter object a stage takes after its row: a record of scalars (and double or string arrays) whose values
/// the runtime supplies (<c>pipeline.yaml</c>, <c>--param</c>, or the fit stage returning it) and whose members the
/// kernel reads once per batch.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The record's simple name: its key in <c>pipeline.yaml</c> and in <c>StageParameterValues</c>.</param>
/// <param name="FullTypeName">The record's qualified name with <c>global::</c>.</param>
/// <param name="Members">Its positional members in constructor order.</param>
internal sealed record StageParametersSpec(string Name, string FullTypeName, EquatableArray<ParameterMemberSpec> Members)
{
    /// <summary>Whether the record is a <c>record struct</c> (never null).</summary>
    public bool IsValueType { get; init; }

    /// <summary>The name of the kernel parameter (and binder local) holding the object.</summary>
    public string Local => SourceWriter.Camel(Name);

    /// <summary>
    /// The local a kernel reads <paramref name="text"/> (<c>Type.Member</c>, the text of a
    /// <see cref="KernelExprKind.Parameter"/> node) into once per batch.
    /// </summary>
    public static string MemberLocal(string text) => SourceWriter.Camel(text.Replace(".", string.Empty));
}
