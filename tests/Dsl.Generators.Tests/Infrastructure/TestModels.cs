namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>Model files the test builds are given (every snippet build sees <see cref="Tiny"/> at <c>models/tiny.json</c>).</summary>
internal static class TestModels
{
    /// <summary>
    /// An XGBoost JSON model (binary:logistic, base score 0.5) of one feature, <c>Amount</c>, and one tree: amounts
    /// below 100 (and missing ones) score margin -0.5, the rest +0.5.
    /// </summary>
    public const string Tiny = """
        {"learner":{"feature_names":["Amount"],"feature_types":["float"],
         "gradient_booster":{"model":{"tree_info":[0],"trees":[{"default_left":[1,0,0],"left_children":[1,-1,-1],"right_children":[2,-1,-1],
           "split_conditions":[1E2,-5E-1,5E-1],"split_indices":[0,0,0],"split_type":[0,0,0]}]},"name":"gbtree"},
         "learner_model_param":{"base_score":"5E-1","num_class":"0","num_feature":"1"},"objective":{"name":"binary:logistic"}},
         "version":[1,7,4]}
        """;

    /// <summary>The files a snippet build gets unless a test gives its own.</summary>
    public static IReadOnlyList<(string Path, string Text)> Default { get; } = [("/snippet/models/tiny.json", Tiny)];
}
