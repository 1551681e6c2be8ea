using System.Collections.Generic;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Lowers a stage body from its <see cref="IOperation"/> tree to the kernel IR (<see cref="KernelExpr"/>).
/// Every node must be in the supported set; the first one that is not makes the stage a scalar fallback,
/// with the construct and its location reported.
/// </summary>
internal sealed partial class KernelLowering
{
    private readonly IParameterSymbol _row;
    private readonly SchemaSpec _input;
    private readonly IParameterSymbol? _parameter;
    private readonly StageParametersSpec? _parameters;
    private readonly CancellationToken _cancellationToken;
    private readonly SortedSet<string> _readMembers = new(System.StringComparer.Ordinal);
    private IReadOnlyList<IParameterSymbol> _modelOutputs = System.Array.Empty<IParameterSymbol>();

    private KernelLowering(IParameterSymbol row, SchemaSpec input, IParameterSymbol? parameter, StageParametersSpec? parameters, CancellationToken cancellationToken)
    {
        _row = row;
        _input = input;
        _parameter = parameter;
        _parameters = parameters;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The first unsupported construct, described for the DSL4001 message.</summary>
    public string? Unsupported { get; private set; }

    /// <summary>Where the first unsupported construct is.</summary>
    public Location? UnsupportedLocation { get; private set; }

    /// <summary>
    /// Lowers <paramref name="method"/>; on an unsupported construct returns a fallback spec and sets the out parameters.
    /// Reads of <paramref name="parameters"/>' members (the stage's second parameter) become
    /// <see cref="KernelExprKind.Parameter"/> nodes, which kernels read once per batch.
    /// </summary>
    public static StageKernelSpec Lower(
        IMethodSymbol method,
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        SchemaSpec input,
        StageParametersSpec? parameters,
        SchemaSpec? output,
        CancellationToken cancellationToken,
        out string? fallbackReason,
        out Location? fallbackLocation,
        IReadOnlyList<IParameterSymbol>? modelOutputs = null)
    {
        var lowering = new KernelLowering(method.Parameters[0], input, parameters is null ? null : method.Parameters[1], parameters, cancellationToken)
        {
            _compilation = semanticModel.Compilation,
            _pipelineType = method.ContainingType,
            _modelOutputs = modelOutputs ?? System.Array.Empty<IParameterSymbol>(),
        };
        StageKernelSpec? spec = lowering.LowerBody(declaration, semanticModel, output);
        if (spec is not null)
        {
            fallbackReason = null;
            fallbackLocation = null;
            return spec;
        }
        fallbackReason = lowering.Unsupported ?? "this stage body";
        fallbackLocation = lowering.UnsupportedLocation ?? declaration.Identifier.GetLocation();
        var all = new List<string>();
        foreach (ColumnSpec column in input.Columns)
        {
            all.Add(column.MemberName);
        }
        return new StageKernelSpec(false, fallbackReason, all.ToEquatableArray(), null, EquatableArray<KernelOutput>.Empty);
    }

    private bool IsModelOutput(IParameterSymbol parameter)
    {
        foreach (IParameterSymbol output in _modelOutputs)
        {
            if (SymbolEqualityComparer.Default.Equals(output, parameter))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The condition a filter's scan predicates are read from (<see cref="Pipelines.ScanPredicateExtractor"/>): the
    /// lowered predicate of <paramref name="kernel"/>; for a filter that calls its method per row, the top-level
    /// <c>&amp;&amp;</c> conjuncts that lower on their own (every kept row satisfies each of them), joined by <c>&amp;&amp;</c>.
    /// </summary>
    public static KernelExpr? ScanCondition(
        IMethodSymbol method,
        MethodDeclarationSyntax declaration,
        SemanticModel semanticModel,
        SchemaSpec input,
        StageParametersSpec? parameters,
        StageKernelSpec kernel,
        CancellationToken cancellationToken)
    {
        if (kernel.Predicate is not null)
        {
            return kernel.Predicate;
        }
        if (semanticModel.GetOperation(declaration, cancellationToken) is not IMethodBodyOperation body
            || (body.ExpressionBody ?? body.BlockBody) is not { Operations: { Length: 1 } operations }
            || operations[0] is not IReturnOperation { ReturnedValue: { } returned })
        {
            return null;
        }
        var conjuncts = new List<IOperation>();
        Conjuncts(returned, conjuncts);
        KernelExpr? condition = null;
        foreach (IOperation conjunct in conjuncts)
        {
            // A fresh lowering each: one conjunct's unsupported construct must not stop the others.
            var lowering = new KernelLowering(method.Parameters[0], input, parameters is null ? null : method.Parameters[1], parameters, cancellationToken);
            if (lowering.LowerExpr(conjunct) is { } lowered)
            {
                condition = condition is null
                    ? lowered
                    : new KernelExpr(KernelExprKind.Binary, lowered.Type, string.Empty, new EquatableArray<KernelExpr>(new[] { condition, lowered }), Op: KernelOp.ConditionalAnd);
            }
        }
        return condition;
    }

    private static void Conjuncts(IOperation operation, List<IOperation> conjuncts)
    {
        operation = StripImplicit(operation);
        if (operation is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd, OperatorMethod: null } and)
        {
            Conjuncts(and.LeftOperand, conjuncts);
            Conjuncts(and.RightOperand, conjuncts);
            return;
        }
        conjuncts.Add(operation);
    }

    private StageKernelSpec? LowerBody(MethodDeclarationSyntax declaration, SemanticModel semanticModel, SchemaSpec? output)
    {
        if (semanticModel.GetOperation(declaration, _cancellationToken) is not IMethodBodyOperation body)
        {
            return Fail<StageKernelSpec>("a method without a body", declaration.Identifier.GetLocation());
        }
        IBlockOperation? block = body.ExpressionBody ?? body.BlockBody;
        if (block is null || block.Operations.Length != 1 || block.Operations[0] is not IReturnOperation { ReturnedValue: { } returned })
        {
            return Fail<StageKernelSpec>("a block body with statements (write the stage as a single expression)", declaration.Body?.GetLocation() ?? declaration.Identifier.GetLocation());
        }

        if (output is null)
        {
            KernelExpr? predicate = LowerExpr(returned);
            return predicate is null ? null : new StageKernelSpec(true, null, ReadMembers(), predicate, EquatableArray<KernelOutput>.Empty);
        }

        IOperation root = StripImplicit(returned);
        if (root is not IObjectCreationOperation creation || !SymbolEqualityComparer.Default.Equals(creation.Type, creation.Constructor?.ContainingType))
        {
            return Fail<StageKernelSpec>("a map result other than 'new " + output.Name + "(...)'", returned.Syntax.GetLocation());
        }
        if (creation.Initializer is not null)
        {
            return Fail<StageKernelSpec>("an object initializer on the map result", creation.Initializer.Syntax.GetLocation());
        }
        if (creation.Type is not INamedTypeSymbol created || SymbolNames.Qualified(created) != output.FullTypeName
            || !SymbolEqualityComparer.Default.Equals(creation.Constructor, Schemas.SchemaGenerator.Parser.PrimaryConstructor(created)))
        {
            return Fail<StageKernelSpec>("a map result built with a constructor other than the positional one of '" + output.Name + "'", creation.Syntax.GetLocation());
        }

        var outputs = new List<KernelOutput>(creation.Arguments.Length);
        foreach (IArgumentOperation argument in creation.Arguments)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Parameter is null)
            {
                return Fail<StageKernelSpec>("a default or params argument in the map result", argument.Syntax.GetLocation());
            }
            KernelExpr? value = LowerExpr(argument.Value);
            if (value is null)
            {
                return null;
            }
            outputs.Add(new KernelOutput(argument.Parameter.Name, value));
        }
        return new StageKernelSpec(true, null, ReadMembers(), null, outputs.ToEquatableArray());
    }

    private EquatableArray<string> ReadMembers()
    {
        // Report in schema order so that specs (and generated code) do not depend on the expression's shape.
        var ordered = new List<string>();
        foreach (ColumnSpec column in _input.Columns)
        {
            if (_readMembers.Contains(column.MemberName))
            {
                ordered.Add(column.MemberName);
            }
        }
        return ordered.ToEquatableArray();
    }

    private T? Fail<T>(string construct, Location? location)
        where T : class
    {
        if (Unsupported is null)
        {
            Unsupported = construct;
            UnsupportedLocation = location;
        }
        return null;
    }

    private KernelExpr? Fail(string construct, IOperation operation) =>
        Fail<KernelExpr>(construct + " ('" + operation.Syntax.ToString() + "')", operation.Syntax.GetLocation());

    private KernelExpr? LowerExpr(IOperation operation)
    {
        KernelExpr? lowered = LowerNode(operation);
        if (lowered is not null && lowered.Constant is null && operation.ConstantValue is { HasValue: true, Value: { } value })
        {
            // What C# folded the node to, so that consumers (scan predicates, vector constants) need not parse C# text.
            lowered = lowered with { Constant = InvariantText(value) };
        }
        return lowered;
    }

    private KernelExpr? LowerNode(IOperation operation)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (operation is IParameterReferenceOperation boundReference && TryBoundParameter(boundReference, out KernelExpr? bound))
        {
            return bound; // a parameter of a helper being inlined (HelperInlining.cs)
        }
        if (operation is IParameterReferenceOperation outputReference && IsModelOutput(outputReference.Parameter))
        {
            return KernelExpr.Leaf(KernelExprKind.ModelOutput, TypeOf(outputReference.Parameter.Type), outputReference.Parameter.Name);
        }
        if (!AccessibleFromPipeline(operation))
        {
            return null;
        }
        if (operation is IParameterReferenceOperation rowReference && SymbolEqualityComparer.Default.Equals(rowReference.Parameter, _row))
        {
            return Fail("the row parameter '" + _row.Name + "' used as a whole object", operation);
        }
        if (operation is IParameterReferenceOperation parameterReference && SymbolEqualityComparer.Default.Equals(parameterReference.Parameter, _parameter))
        {
            return Fail("the parameter object '" + _parameter!.Name + "' used as a whole (read its members)", operation);
        }
        if (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null, Type.SpecialType: SpecialType.System_Object } boxing)
        {
            // Boxing for string concatenation or an object parameter: the compiler boxes again in the same position.
            return LowerExpr(boxing.Operand);
        }
        if (operation.Type is { } resultType && !IsKernelValueType(resultType) && operation is not IObjectCreationOperation && !IsWholeArray(operation))
        {
            return Fail("a value of type '" + resultType.ToDisplayString() + "'", operation);
        }
        switch (operation)
        {
            case ILiteralOperation literal:
                return KernelExpr.Leaf(KernelExprKind.Literal, TypeOf(literal), LiteralText(literal));

            case IDefaultValueOperation defaultValue when defaultValue.Type is not null:
                return KernelExpr.Leaf(KernelExprKind.Default, TypeOf(defaultValue), string.Empty);

            case IConversionOperation conversion:
                return LowerConversion(conversion);

            case IPropertyReferenceOperation property:
                return LowerProperty(property);

            case IFieldReferenceOperation field when field.Field.IsStatic || field.Field.IsConst:
                return KernelExpr.Leaf(KernelExprKind.StaticMember, TypeOf(field), SymbolNames.Qualified(field.Field.ContainingType) + "." + field.Field.Name);

            case IFieldReferenceOperation field:
                return Fail("the instance field '" + field.Field.Name + "'", field);

            case IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter, _row):
                return Fail("the row parameter '" + _row.Name + "' used as a whole object", parameter);

            case IBinaryOperation binary:
                return LowerBinary(binary);

            case IUnaryOperation unary:
                return LowerUnary(unary);

            case IConditionalOperation conditional when conditional.WhenFalse is not null && !conditional.IsRef:
                return LowerAll(KernelExprKind.Conditional, TypeOf(conditional), string.Empty, conditional.Condition, conditional.WhenTrue, conditional.WhenFalse!);

            case ICoalesceOperation coalesce:
                return LowerAll(KernelExprKind.Coalesce, TypeOf(coalesce), string.Empty, coalesce.Value, coalesce.WhenNull);

            case IIsPatternOperation isPattern:
            {
                KernelExpr? value = LowerExpr(isPattern.Value);
                KernelExpr? pattern = value is null ? null : LowerPattern(isPattern.Pattern);
                return pattern is null ? null : KernelExpr.Node(KernelExprKind.IsPattern, TypeOf(isPattern), string.Empty, value!, pattern);
            }

            case IInvocationOperation invocation:
                return LowerInvocation(invocation);

            case IObjectCreationOperation creation:
                return LowerCreation(creation);

            case IAnonymousFunctionOperation:
                return Fail("a lambda expression", operation);

            case IInterpolatedStringOperation:
                return Fail("an interpolated string", operation);

            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                return Fail("an assignment (stages must not write state)", operation);

            case IThrowOperation:
                return Fail("a throw expression", operation);

            case ISwitchExpressionOperation switchExpression:
                return LowerSwitch(switchExpression);

            case IConditionalAccessOperation conditionalAccess:
                return LowerAll(KernelExprKind.ConditionalAccess, TypeOf(conditionalAccess), string.Empty, conditionalAccess.Operation, conditionalAccess.WhenNotNull);

            case IConditionalAccessInstanceOperation receiver:
                return KernelExpr.Leaf(KernelExprKind.ConditionalAccessReceiver, TypeOf(receiver), string.Empty);

            case { ConstantValue.HasValue: true } constant when constant.Type?.SpecialType is not null and not SpecialType.None:
                // nameof(...), sizeof(...) and other constants without literal syntax of their own.
                return KernelExpr.Leaf(KernelExprKind.Literal, TypeOf(constant), ConstantText(constant.ConstantValue.Value));

            default:
                return Fail("the expression kind '" + operation.Kind + "'", operation);
        }
    }

    private KernelExpr? LowerAll(KernelExprKind kind, KernelType type, string text, params IOperation[] operands)
    {
        var lowered = new KernelExpr[operands.Length];
        for (int i = 0; i < operands.Length; i++)
        {
            KernelExpr? operand = LowerExpr(operands[i]);
            if (operand is null)
            {
                return null;
            }
            lowered[i] = operand;
        }
        return KernelExpr.Node(kind, type, text, lowered);
    }

    private KernelExpr? LowerConversion(IConversionOperation conversion)
    {
        if (conversion.OperatorMethod is { } method && !IsKernelValueType(method.ContainingType))
        {
            return Fail("the user-defined conversion '" + method.ToDisplayString() + "'", conversion);
        }
        if (conversion.IsImplicit)
        {
            // The emitted expression has the user's shape with operands of the same types, so the compiler
            // inserts exactly this implicit conversion again; leaving it out keeps the code as the user wrote it.
            return LowerExpr(conversion.Operand);
        }
        KernelExpr? operand = LowerExpr(conversion.Operand);
        return operand is null
            ? null
            : new KernelExpr(KernelExprKind.Conversion, TypeOf(conversion), string.Empty, new EquatableArray<KernelExpr>(new[] { operand }), Overflow(conversion.IsChecked, conversion.Type));
    }

    private KernelExpr? LowerProperty(IPropertyReferenceOperation property)
    {
        if (!property.Arguments.IsEmpty)
        {
            return Fail("an indexer", property);
        }
        if (property.Instance is IParameterReferenceOperation parameter && IsRow(parameter.Parameter))
        {
            if (_input.FindMember(property.Property.Name) is null)
            {
                return Fail("the member '" + _row.Name + "." + property.Property.Name + "', which is not a column of '" + _input.Name + "'", property);
            }
            _readMembers.Add(property.Property.Name);
            return KernelExpr.Leaf(KernelExprKind.Column, TypeOf(property), property.Property.Name);
        }
        if (property.Instance is IParameterReferenceOperation parameterInstance && SymbolEqualityComparer.Default.Equals(parameterInstance.Parameter, _parameter))
        {
            foreach (ParameterMemberSpec member in _parameters!.Members)
            {
                if (member.Name == property.Property.Name)
                {
                    return KernelExpr.Leaf(KernelExprKind.Parameter, TypeOf(property), _parameters.Name + "." + member.Name);
                }
            }
            return Fail("the member '" + _parameter!.Name + "." + property.Property.Name + "', which is not a positional member of '" + _parameters.Name + "'", property);
        }
        if (property.Instance is null)
        {
            return KernelExpr.Leaf(KernelExprKind.StaticMember, TypeOf(property), SymbolNames.Qualified(property.Property.ContainingType) + "." + property.Property.Name);
        }
        if (property.Instance.Type is not { } receiverType || !IsKernelValueType(receiverType))
        {
            return Fail("an instance member of '" + property.Instance.Type?.ToDisplayString() + "'", property);
        }
        KernelExpr? receiver = LowerExpr(property.Instance);
        KernelMember known = KernelMembers.Resolve(KernelMemberShape.Property, OwnerKey(property.Property.ContainingType), property.Property.Name);
        return receiver is null ? null : KernelExpr.Node(KernelExprKind.Property, TypeOf(property), property.Property.Name, receiver) with { Member = known };
    }

    private KernelExpr? LowerBinary(IBinaryOperation binary)
    {
        if (binary.OperatorMethod is { } method && !IsKernelValueType(method.ContainingType))
        {
            return Fail("the user-defined operator '" + method.ToDisplayString() + "'", binary);
        }
        KernelOp op = BinaryOp(binary.OperatorKind);
        if (op == KernelOp.None)
        {
            return Fail("the operator '" + binary.OperatorKind + "'", binary);
        }
        KernelExpr? left = LowerExpr(binary.LeftOperand);
        KernelExpr? right = left is null ? null : LowerExpr(binary.RightOperand);
        if (right is null)
        {
            return null;
        }
        return new KernelExpr(KernelExprKind.Binary, TypeOf(binary), string.Empty, new EquatableArray<KernelExpr>(new[] { left!, right }), Overflow(binary.IsChecked, binary.Type), Op: op);
    }

    private KernelExpr? LowerUnary(IUnaryOperation unary)
    {
        if (unary.OperatorMethod is { } method && !IsKernelValueType(method.ContainingType))
        {
            return Fail("the user-defined operator '" + method.ToDisplayString() + "'", unary);
        }
        KernelOp op = unary.OperatorKind switch
        {
            UnaryOperatorKind.Plus => KernelOp.Plus,
            UnaryOperatorKind.Minus => KernelOp.Negate,
            UnaryOperatorKind.Not => KernelOp.Not,
            UnaryOperatorKind.BitwiseNegation => KernelOp.BitwiseNot,
            _ => KernelOp.None,
        };
        if (op == KernelOp.None)
        {
            return Fail("the operator '" + unary.OperatorKind + "'", unary);
        }
        KernelExpr? operand = LowerExpr(unary.Operand);
        return operand is null
            ? null
            : new KernelExpr(KernelExprKind.Unary, TypeOf(unary), string.Empty, new EquatableArray<KernelExpr>(new[] { operand }), Overflow(unary.IsChecked, unary.Type), Op: op);
    }

    private KernelExpr? LowerInvocation(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return Fail("a call to the local function '" + method.Name + "'", invocation);
        }
        if (TryInlineHelper(invocation, out KernelExpr? inlined))
        {
            return inlined; // the user's own helper, inlined (HelperInlining.cs)
        }
        var operands = new List<KernelExpr>();
        bool isInstance = false;
        if (invocation.Instance is { } instance)
        {
            if (instance is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter, _row))
            {
                return Fail("a call on the row parameter '" + _row.Name + "'", invocation);
            }
            if (instance.Type is not { } receiverType || !IsKernelValueType(receiverType))
            {
                return Fail("an instance call on '" + instance.Type?.ToDisplayString() + "'", invocation);
            }
            KernelExpr? receiver = LowerExpr(instance);
            if (receiver is null)
            {
                return null;
            }
            operands.Add(receiver);
            isInstance = true;
        }
        EquatableArray<string> names = default;
        if (!LowerArguments(invocation.Arguments, operands, ref names, invocation))
        {
            return null;
        }
        string name = isInstance ? method.Name : SymbolNames.Qualified(method.ContainingType) + "." + method.Name;
        if (method.IsGenericMethod)
        {
            var typeArguments = new List<string>();
            foreach (ITypeSymbol typeArgument in method.TypeArguments)
            {
                typeArguments.Add(SymbolNames.Qualified(typeArgument));
            }
            name += "<" + string.Join(", ", typeArguments) + ">";
        }
        KernelMember member = KernelMembers.Resolve(isInstance ? KernelMemberShape.InstanceCall : KernelMemberShape.StaticCall, OwnerKey(method.ContainingType), method.Name);
        bool userMethod = _compilation is not null && SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _compilation.Assembly);
        return new KernelExpr(KernelExprKind.Call, TypeOf(method.ReturnType), name, operands.ToEquatableArray(), OverflowMode.Default, isInstance, names,
            Member: member, IsUserMethod: userMethod);
    }

    private KernelExpr? LowerCreation(IObjectCreationOperation creation)
    {
        if (creation.Type is not { } type || !IsKernelValueType(type) || creation.Initializer is not null)
        {
            return Fail("'new' of the type '" + creation.Type?.ToDisplayString() + "'", creation);
        }
        var operands = new List<KernelExpr>();
        EquatableArray<string> names = default;
        if (!LowerArguments(creation.Arguments, operands, ref names, creation))
        {
            return null;
        }
        return new KernelExpr(KernelExprKind.New, TypeOf(type), string.Empty, operands.ToEquatableArray(), OverflowMode.Default, false, names);
    }

    private bool LowerArguments(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, List<KernelExpr> operands, ref EquatableArray<string> names, IOperation owner)
    {
        // Arguments come in evaluation order. Pass them positionally when that is also parameter order and
        // none is left to its default; otherwise by name, which keeps both the order and the binding.
        bool byName = false;
        int expectedOrdinal = 0;
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter is null || argument.Parameter.Ordinal != expectedOrdinal || argument.ArgumentKind != ArgumentKind.Explicit)
            {
                byName = true;
            }
            expectedOrdinal++;
        }
        var parameterNames = new List<string>();
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }
            if (argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                Fail<KernelExpr>("a params argument ('" + owner.Syntax + "')", argument.Syntax.GetLocation());
                return false;
            }
            if (argument.Parameter is null || argument.Parameter.RefKind != RefKind.None)
            {
                Fail<KernelExpr>("a ref, out or in argument ('" + owner.Syntax + "')", argument.Syntax.GetLocation());
                return false;
            }
            KernelExpr? value = LowerExpr(argument.Value);
            if (value is null)
            {
                return false;
            }
            operands.Add(value);
            parameterNames.Add(argument.Parameter.Name);
        }
        names = byName ? parameterNames.ToEquatableArray() : EquatableArray<string>.Empty;
        return true;
    }

    private KernelExpr? LowerSwitch(ISwitchExpressionOperation switchExpression)
    {
        KernelExpr? value = LowerExpr(switchExpression.Value);
        if (value is null)
        {
            return null;
        }
        var operands = new List<KernelExpr> { value };
        foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
        {
            if (!arm.Locals.IsEmpty)
            {
                return Fail("a switch arm that declares variables", arm);
            }
            KernelExpr? pattern = LowerPattern(arm.Pattern);
            KernelExpr? result = pattern is null ? null : LowerExpr(arm.Value);
            if (result is null)
            {
                return null;
            }
            if (arm.Guard is { } guard)
            {
                KernelExpr? condition = LowerExpr(guard);
                if (condition is null)
                {
                    return null;
                }
                operands.Add(KernelExpr.Node(KernelExprKind.SwitchArm, result.Type, string.Empty, pattern!, result, condition));
            }
            else
            {
                operands.Add(KernelExpr.Node(KernelExprKind.SwitchArm, result.Type, string.Empty, pattern!, result));
            }
        }
        return new KernelExpr(KernelExprKind.Switch, TypeOf(switchExpression), string.Empty, operands.ToEquatableArray());
    }

    private KernelExpr? LowerPattern(IPatternOperation pattern)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return KernelExpr.Leaf(KernelExprKind.PatternDiscard, KernelType.None, "_");
            case IConstantPatternOperation constant:
            {
                KernelExpr? value = LowerExpr(StripImplicit(constant.Value));
                return value is null ? null : KernelExpr.Node(KernelExprKind.PatternConstant, KernelType.None, string.Empty, value);
            }
            case IRelationalPatternOperation relational:
            {
                KernelOp op = BinaryOp(relational.OperatorKind);
                KernelExpr? value = !KernelOps.IsComparison(op) ? null : LowerExpr(StripImplicit(relational.Value));
                return value is null
                    ? Fail("the relational pattern '" + relational.Syntax + "'", relational)
                    : KernelExpr.Node(KernelExprKind.PatternRelational, KernelType.None, string.Empty, value) with { Op = op };
            }
            case INegatedPatternOperation negated:
            {
                KernelExpr? inner = LowerPattern(negated.Pattern);
                return inner is null ? null : KernelExpr.Node(KernelExprKind.PatternNot, KernelType.None, string.Empty, inner);
            }
            case IBinaryPatternOperation binary:
            {
                KernelExpr? left = LowerPattern(binary.LeftPattern);
                KernelExpr? right = left is null ? null : LowerPattern(binary.RightPattern);
                if (right is null)
                {
                    return null;
                }
                KernelExprKind kind = binary.OperatorKind == BinaryOperatorKind.And ? KernelExprKind.PatternAnd : KernelExprKind.PatternOr;
                return KernelExpr.Node(kind, KernelType.None, string.Empty, left!, right);
            }
            default:
                return Fail("the pattern '" + pattern.Syntax + "'", pattern);
        }
    }

    // Only integral arithmetic and conversions can overflow; for them the IR records the context explicitly
    // and the emitter opens checked/unchecked wherever it differs from the surrounding one.
    private static OverflowMode Overflow(bool isChecked, ITypeSymbol? type)
    {
        if (type is null || !TypeOf(type).IsIntegral)
        {
            return OverflowMode.Default;
        }
        return isChecked ? OverflowMode.Checked : OverflowMode.Unchecked;
    }

    /// <summary>Types whose values and members kernels may use: primitives, strings, date/time values and enums.</summary>
    public static bool IsKernelValueType(ITypeSymbol type) =>
        TypeOf(type).Kind is not (KernelTypeKind.Other or KernelTypeKind.None or KernelTypeKind.Null or KernelTypeKind.DoubleArray or KernelTypeKind.StringArray);

    /// <summary>
    /// Whether <paramref name="operation"/> is a <c>double[]</c> or <c>string[]</c> that is the same for every row: a
    /// member of the stage's parameter object or a static field or property. Kernels pass such arrays whole to the
    /// feature operations (bucket boundaries, category lists); an array computed per row stays unsupported.
    /// </summary>
    private bool IsWholeArray(IOperation operation) =>
        operation.Type is { } type && TypeOf(type).Kind is KernelTypeKind.DoubleArray or KernelTypeKind.StringArray
        && operation switch
        {
            IPropertyReferenceOperation { Instance: IParameterReferenceOperation parameter } => SymbolEqualityComparer.Default.Equals(parameter.Parameter, _parameter),
            IPropertyReferenceOperation { Instance: null } => true,
            IFieldReferenceOperation { Field.IsStatic: true } => true,
            _ => false,
        };

    private static IOperation StripImplicit(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null } conversion)
        {
            operation = conversion.Operand;
        }
        return operation;
    }

    private static KernelType TypeOf(IOperation operation) =>
        operation.Type is { } type ? TypeOf(type) : operation.ConstantValue is { HasValue: true, Value: null } ? KernelType.Null : KernelType.None;

    /// <summary>The kernel type of <paramref name="type"/>: its kind and nullability, and its C# name for the per-row code.</summary>
    public static KernelType TypeOf(ITypeSymbol type)
    {
        string name = SymbolNames.Qualified(type);
        bool nullable = false;
        ITypeSymbol core = type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
        {
            nullable = true;
            core = wrapper.TypeArguments[0];
        }
        else if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
        {
            nullable = true;
        }
        if (core is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Double or SpecialType.System_String } array)
        {
            return new KernelType(array.ElementType.SpecialType == SpecialType.System_Double ? KernelTypeKind.DoubleArray : KernelTypeKind.StringArray, nullable, name);
        }
        KernelTypeKind kind = core.SpecialType switch
        {
            SpecialType.System_Boolean => KernelTypeKind.Bool,
            SpecialType.System_SByte => KernelTypeKind.SByte,
            SpecialType.System_Byte => KernelTypeKind.Byte,
            SpecialType.System_Int16 => KernelTypeKind.Int16,
            SpecialType.System_UInt16 => KernelTypeKind.UInt16,
            SpecialType.System_Int32 => KernelTypeKind.Int32,
            SpecialType.System_UInt32 => KernelTypeKind.UInt32,
            SpecialType.System_Int64 => KernelTypeKind.Int64,
            SpecialType.System_UInt64 => KernelTypeKind.UInt64,
            SpecialType.System_Single => KernelTypeKind.Single,
            SpecialType.System_Double => KernelTypeKind.Double,
            SpecialType.System_Decimal => KernelTypeKind.Decimal,
            SpecialType.System_Char => KernelTypeKind.Char,
            SpecialType.System_String => KernelTypeKind.String,
            SpecialType.System_DateTime => KernelTypeKind.DateTime,
            _ => OwnerKey(core) switch
            {
                "System.DateOnly" => KernelTypeKind.DateOnly,
                "System.TimeOnly" => KernelTypeKind.TimeOnly,
                "System.TimeSpan" => KernelTypeKind.TimeSpan,
                "System.DayOfWeek" => KernelTypeKind.DayOfWeek,
                "System.MidpointRounding" => KernelTypeKind.MidpointRounding,
                "System.StringComparison" => KernelTypeKind.StringComparison,
                _ => core.TypeKind == TypeKind.Enum ? KernelTypeKind.Enum : KernelTypeKind.Other,
            },
        };
        return new KernelType(kind, nullable, name);
    }

    /// <summary>A type's namespace and metadata name (<c>System.Math</c>, <c>System.Nullable`1</c>), as <see cref="KernelMemberInfo.Owners"/> names them.</summary>
    private static string OwnerKey(ITypeSymbol type)
    {
        ITypeSymbol definition = type.OriginalDefinition;
        string ns = definition.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() + "." : string.Empty;
        return ns + definition.MetadataName;
    }

    /// <summary>A constant's value in the invariant culture, as <see cref="KernelExpr.Constant"/> holds it.</summary>
    private static string InvariantText(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string s => s,
        char c => c.ToString(),
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string LiteralText(ILiteralOperation literal)
    {
        if (!literal.IsImplicit && literal.Syntax is LiteralExpressionSyntax syntax)
        {
            return syntax.Token.Text;
        }
        return ConstantText(literal.ConstantValue.Value);
    }

    /// <summary>C# source for a constant value with its exact type (used where no literal syntax exists).</summary>
    public static string ConstantText(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => SourceWriter.Literal(s),
        char c => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true),
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L",
        uint u => u.ToString(System.Globalization.CultureInfo.InvariantCulture) + "U",
        ulong ul => ul.ToString(System.Globalization.CultureInfo.InvariantCulture) + "UL",
        double d when double.IsNaN(d) => "double.NaN",
        double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
        double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "D",
        float f when float.IsNaN(f) => "float.NaN",
        float f when float.IsPositiveInfinity(f) => "float.PositiveInfinity",
        float f when float.IsNegativeInfinity(f) => "float.NegativeInfinity",
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "F",
        decimal m => m.ToString(System.Globalization.CultureInfo.InvariantCulture) + "M",
        _ => "((global::" + value.GetType().FullName + ")" + System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) + ")",
    };

    private static KernelOp BinaryOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => KernelOp.Add,
        BinaryOperatorKind.Subtract => KernelOp.Subtract,
        BinaryOperatorKind.Multiply => KernelOp.Multiply,
        BinaryOperatorKind.Divide => KernelOp.Divide,
        BinaryOperatorKind.Remainder => KernelOp.Remainder,
        BinaryOperatorKind.LeftShift => KernelOp.LeftShift,
        BinaryOperatorKind.RightShift => KernelOp.RightShift,
        BinaryOperatorKind.UnsignedRightShift => KernelOp.UnsignedRightShift,
        BinaryOperatorKind.And => KernelOp.And,
        BinaryOperatorKind.Or => KernelOp.Or,
        BinaryOperatorKind.ExclusiveOr => KernelOp.ExclusiveOr,
        BinaryOperatorKind.ConditionalAnd => KernelOp.ConditionalAnd,
        BinaryOperatorKind.ConditionalOr => KernelOp.ConditionalOr,
        BinaryOperatorKind.Equals => KernelOp.Equals,
        BinaryOperatorKind.NotEquals => KernelOp.NotEquals,
        BinaryOperatorKind.LessThan => KernelOp.LessThan,
        BinaryOperatorKind.LessThanOrEqual => KernelOp.LessThanOrEqual,
        BinaryOperatorKind.GreaterThan => KernelOp.GreaterThan,
        BinaryOperatorKind.GreaterThanOrEqual => KernelOp.GreaterThanOrEqual,
        _ => KernelOp.None,
    };
}
