using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Schemas;

/// <summary>
/// Completes every <c>[Schema]</c> record with its <c>IRowSchema&lt;T&gt;</c> implementation: the batch schema,
/// row conversions and typed column accessors.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SchemaGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<SchemaSpec>> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownTypeNames.SchemaAttribute,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
            .WithTrackingName(TrackingNames.SchemaModels);

        IncrementalValuesProvider<SchemaSpec> specs = models
            .Where(static r => r.Spec is not null)
            .Select(static (r, _) => r.Spec!)
            .WithTrackingName(TrackingNames.SchemaSpecs);

        // Combined only here, so that the specs stay cached when the compilation changes and the names it declares
        // do not; see NameScope.
        IncrementalValueProvider<NameScope> names = context.CompilationProvider
            .Select(static (c, ct) => NameScope.Compute(c, ct))
            .WithTrackingName(TrackingNames.NameScope);

        context.RegisterSourceOutput(specs.Combine(names), static (spc, input) =>
        {
            (SchemaSpec spec, NameScope scope) = input;
            spc.AddSource(Emitter.HintName(spec), GeneratedCode.Finish(Emitter.Emit(spec), spec.Namespace, scope, Emitter.MemberNames(spec)));
        });

        DiagnosticReporting.RegisterOutput(context, models.Select(static (r, _) => r.Diagnostics), TrackingNames.SchemaDiagnostics);
    }
}
