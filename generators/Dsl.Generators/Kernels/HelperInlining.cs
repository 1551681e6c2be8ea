using System.Collections.Generic;
using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Inlining of the user's own static helpers into the kernel IR: a call to a pure, expression-bodied static
/// method of the same compilation is replaced by its body, with each parameter bound to the lowered argument (or,
/// for a parameter that receives the row, to the row itself), so the helper's expression vectorizes like the rest
/// of the stage. A helper that cannot be inlined stays a call, run once per row.
/// </summary>
/// <remarks>
/// Inlining keeps the meaning of the call exactly: C# evaluates each argument once before the body, while the
/// inlined body evaluates an argument where the parameter is used (never, once or several times). That is the same
/// only for arguments that are pure and cannot throw, so any other argument keeps the call. The body's own
/// constructs go through the ordinary lowering (an assignment, a throw or any other unsupported construct keeps
/// the call), a helper on the call stack is not inlined again (recursion), and a member the body reads must be
/// accessible from the pipeline class, where the kernel runs.
/// </remarks>
internal sealed partial class KernelLowering
{
    // The helpers being inlined, innermost last (recursion stops at a helper already on this stack).
    private readonly List<IMethodSymbol> _inlining = new();

    // Parameters of the helpers being inlined: bound to the lowered argument, or (null) to the row parameter.
    private readonly Dictionary<IParameterSymbol, KernelExpr?> _bound = new(SymbolEqualityComparer.Default);

    private const string Recursive = "it calls itself";

    private Compilation? _compilation;

    private INamedTypeSymbol? _pipelineType;

    /// <summary>Whether <paramref name="parameter"/> is the stage's row parameter or a helper parameter that received it.</summary>
    private bool IsRow(IParameterSymbol parameter) =>
        SymbolEqualityComparer.Default.Equals(parameter, _row) || (_bound.TryGetValue(parameter, out KernelExpr? bound) && bound is null);

    /// <summary>A reference to a parameter of a helper being inlined: its argument; false for any other reference.</summary>
    private bool TryBoundParameter(IParameterReferenceOperation reference, out KernelExpr? value)
    {
        if (!_bound.TryGetValue(reference.Parameter, out value))
        {
            return false;
        }
        if (value is null)
        {
            value = Fail("the row parameter '" + _row.Name + "' used as a whole object (in a helper)", reference);
        }
        return true;
    }

    /// <summary>
    /// While a helper's body is lowered: whether the symbol <paramref name="operation"/> uses is accessible from the
    /// pipeline class (the inlined code runs there); records the failure when it is not.
    /// </summary>
    private bool AccessibleFromPipeline(IOperation operation)
    {
        if (_inlining.Count == 0 || _compilation is null || _pipelineType is null)
        {
            return true;
        }
        ISymbol? symbol = operation switch
        {
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            IInvocationOperation invocation => invocation.TargetMethod,
            IObjectCreationOperation creation => creation.Constructor,
            _ => null,
        };
        if ((symbol is null || _compilation.IsSymbolAccessibleWithin(symbol, _pipelineType))
            && (operation.Type is null || _compilation.IsSymbolAccessibleWithin(operation.Type, _pipelineType)))
        {
            return true;
        }
        Fail("'" + operation.Syntax + "', which the pipeline class cannot access", operation);
        return false;
    }

    /// <summary>
    /// Inlines <paramref name="invocation"/> when it calls a helper that can be inlined: true with the inlined
    /// expression (or with null when the helper takes the row but cannot be inlined, a failure already recorded);
    /// false when the call should be lowered as a call.
    /// </summary>
    private bool TryInlineHelper(IInvocationOperation invocation, out KernelExpr? inlined)
    {
        inlined = null;
        IMethodSymbol method = invocation.TargetMethod;
        if (!IsUserHelper(method))
        {
            return false;
        }
        bool takesRow = false;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            takesRow |= argument.Value is IParameterReferenceOperation p && IsRow(p.Parameter);
        }

        string? savedUnsupported = Unsupported;
        Location? savedLocation = UnsupportedLocation;
        string? why = CannotInline(method, out MethodDeclarationSyntax? declaration);
        if (why == Recursive)
        {
            // Inside a helper being inlined: fail the whole chain, so the outermost call stays a call.
            inlined = Fail("the recursive helper '" + method.Name + "'", invocation);
            return true;
        }
        if (why is null)
        {
            inlined = Inline(invocation, method, declaration!, out why);
        }
        if (inlined is not null)
        {
            return true;
        }
        // The attempt's failure is no reason to give up on the stage: forget it and lower the call instead.
        string reason = why ?? Unsupported ?? "a construct the kernel does not support";
        Unsupported = savedUnsupported;
        UnsupportedLocation = savedLocation;
        if (takesRow)
        {
            // As a call it would need the row object, which kernels do not build: the stage runs its method per row.
            inlined = Fail("the helper '" + method.Name + "', which takes the row and cannot be inlined: " + reason, invocation);
            return true;
        }
        return false;
    }

    /// <summary>A method of the user's own code (this compilation) that is a candidate for inlining.</summary>
    private bool IsUserHelper(IMethodSymbol method) =>
        _compilation is not null && method.MethodKind == MethodKind.Ordinary && method.IsStatic && !method.ReturnsVoid
        && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly);

    /// <summary>Why <paramref name="method"/>'s shape rules out inlining, or null (with its declaration) when it does not.</summary>
    private string? CannotInline(IMethodSymbol method, out MethodDeclarationSyntax? declaration)
    {
        declaration = null;
        if (method.IsGenericMethod || method.ContainingType.IsGenericType)
        {
            return "it is generic or in a generic type";
        }
        if (method.IsExtern || method.IsAbstract || method.DeclaringSyntaxReferences.Length != 1)
        {
            return "it has no single body in source";
        }
        foreach (IMethodSymbol active in _inlining)
        {
            if (SymbolEqualityComparer.Default.Equals(active, method))
            {
                return Recursive;
            }
        }
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                return "it has a ref, out, in or params parameter";
            }
        }
        if (method.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not MethodDeclarationSyntax { ExpressionBody: not null, Body: null } syntax)
        {
            return "it is not expression-bodied (write it as 'static T Name(...) => expression;')";
        }
        declaration = syntax;
        return null;
    }

    private KernelExpr? Inline(IInvocationOperation invocation, IMethodSymbol method, MethodDeclarationSyntax declaration, out string? why)
    {
        why = null;
        // Bind every parameter first (arguments are lowered in the caller's context, before the helper's are bound).
        var bindings = new List<(IParameterSymbol Parameter, KernelExpr? Value)>();
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                why = "an argument is not a plain value";
                return null;
            }
            if (argument.Value is IParameterReferenceOperation p && IsRow(p.Parameter))
            {
                if (!SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, _row.Type))
                {
                    // Through an interface or base type, a member of the same name need not be the column.
                    why = "it takes the row as '" + argument.Parameter.Type.ToDisplayString() + "' rather than '" + _row.Type.ToDisplayString() + "'";
                    return null;
                }
                bindings.Add((argument.Parameter, null));
                continue;
            }
            KernelExpr? value = LowerExpr(argument.Value);
            if (value is null)
            {
                return null;
            }
            if (!IsPureAndTotal(value))
            {
                why = "the argument '" + argument.Syntax + "' could throw or has effects, and inlining would change when it is evaluated";
                return null;
            }
            bindings.Add((argument.Parameter, WithType(value, argument.Parameter.Type)));
        }

        SemanticModel model = _compilation!.GetSemanticModel(declaration.SyntaxTree);
        if (model.GetOperation(declaration, _cancellationToken) is not IMethodBodyOperation { ExpressionBody: { } body }
            || body.Operations.Length != 1 || body.Operations[0] is not IReturnOperation { ReturnedValue: { } returned })
        {
            why = "its body is not a single expression";
            return null;
        }

        var saved = new List<(IParameterSymbol Parameter, bool Had, KernelExpr? Value)>();
        foreach ((IParameterSymbol parameter, KernelExpr? value) in bindings)
        {
            bool had = _bound.TryGetValue(parameter, out KernelExpr? previous);
            saved.Add((parameter, had, previous));
            _bound[parameter] = value;
        }
        _inlining.Add(method);
        try
        {
            KernelExpr? result = LowerExpr(returned);
            return result is null ? null : WithType(result, method.ReturnType);
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            foreach ((IParameterSymbol parameter, bool had, KernelExpr? previous) in saved)
            {
                if (had)
                {
                    _bound[parameter] = previous;
                }
                else
                {
                    _bound.Remove(parameter);
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="value"/> as a value of <paramref name="type"/>: the lowering leaves implicit conversions out,
    /// which is right where the compiler inserts them again, but an inlined argument or body lands where the
    /// parameter's or the return type's conversion is not implied (an int argument of a double parameter must not
    /// turn the helper's <c>x / 2</c> into integer division), so the conversion is written out.
    /// </summary>
    private static KernelExpr WithType(KernelExpr value, ITypeSymbol type)
    {
        KernelType target = TypeOf(type);
        return value.Type == target
            ? value
            : new KernelExpr(KernelExprKind.Conversion, target, string.Empty, new EquatableArray<KernelExpr>(new[] { value }), Overflow(false, type),
                // An implicit conversion between integers keeps a constant's value (a constant divisor stays known).
                Constant: value.Type.IsIntegral && target.IsIntegral ? value.Constant : null);
    }

    /// <summary>
    /// Whether evaluating <paramref name="e"/> any number of times, or not at all, is the same as evaluating it once:
    /// it reads values and combines them with operations that cannot throw and have no effects.
    /// </summary>
    private bool IsPureAndTotal(KernelExpr e)
    {
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
            case KernelExprKind.Column:
            case KernelExprKind.Parameter:
            case KernelExprKind.StaticMember:
            case KernelExprKind.Default:
                return true;
            case KernelExprKind.Binary when e.Overflow == OverflowMode.Checked:
            case KernelExprKind.Unary when e.Overflow == OverflowMode.Checked:
            case KernelExprKind.Conversion when e.Overflow == OverflowMode.Checked:
                return false;
            case KernelExprKind.Binary when e.Op is KernelOp.Divide or KernelOp.Remainder && !e.Type.IsFloating:
                return false; // integer or decimal division throws for a zero divisor
            case KernelExprKind.Binary or KernelExprKind.Unary when e.Type.Kind == KernelTypeKind.Decimal:
                return false; // decimal arithmetic throws on overflow
            case KernelExprKind.Conversion when e.Operands[0].Type.Nullable && !e.Type.Nullable:
                return false; // a nullable converted to its value throws for null
            case KernelExprKind.Conversion when e.Type.Kind == KernelTypeKind.Decimal || e.Operands[0].Type.Kind == KernelTypeKind.Decimal:
                return false; // decimal conversions throw when out of range
            case KernelExprKind.Property when e.Member == KernelMember.StringLength && e.Operands[0] is { Kind: KernelExprKind.Column } column
                && _input.FindMember(column.Text) is { IsString: true, Nullable: false }:
                return true; // the length of a non-nullable string column
            case KernelExprKind.Property when e.Member == KernelMember.NullableValue || e.Operands[0].Type.Kind == KernelTypeKind.String:
                return false; // .Value of null and members of a null string throw
            case KernelExprKind.Binary:
            case KernelExprKind.Unary:
            case KernelExprKind.Conversion:
            case KernelExprKind.Conditional:
            case KernelExprKind.Coalesce:
            case KernelExprKind.IsPattern:
            case KernelExprKind.Property:
            case KernelExprKind.PatternConstant:
            case KernelExprKind.PatternRelational:
            case KernelExprKind.PatternNot:
            case KernelExprKind.PatternAnd:
            case KernelExprKind.PatternOr:
            case KernelExprKind.PatternDiscard:
                foreach (KernelExpr operand in e.Operands)
                {
                    if (!IsPureAndTotal(operand))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false; // calls, switches (which may match no arm), object creation
        }
    }
}
