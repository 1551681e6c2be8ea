using Dsl.Generators.Common;

namespace Dsl.Generators.Tests.Parsing;

public sealed class KnownTypeNamesTests
{
    [Fact]
    public void AttributeNames_MatchTheRuntimeTypes()
    {
        Assert.Equal(typeof(SchemaAttribute).FullName, KnownTypeNames.SchemaAttribute);
        Assert.Equal(typeof(ColumnAttribute).FullName, KnownTypeNames.ColumnAttribute);
        Assert.Equal(typeof(PipelineAttribute).FullName, KnownTypeNames.PipelineAttribute);
        Assert.Equal(typeof(FilterAttribute).FullName, KnownTypeNames.FilterAttribute);
        Assert.Equal(typeof(MapAttribute).FullName, KnownTypeNames.MapAttribute);
    }
}
