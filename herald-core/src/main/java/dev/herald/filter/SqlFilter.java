package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.sql.EvaluationRuntime;
import io.cloudevents.sql.Expression;
import io.cloudevents.sql.ParseException;
import io.cloudevents.sql.Parser;
import io.cloudevents.sql.Result;
import io.cloudevents.sql.generated.CESQLParserLexer;
import io.cloudevents.sql.generated.CESQLParserParser;
import io.cloudevents.sql.impl.parser.CaseChangingCharStream;
import io.cloudevents.sql.impl.parser.LiteralUtils;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * The {@code sql} dialect: a CESQL v1 expression evaluated by the CloudEvents SDK's engine. An
 * expression that does not evaluate to {@code true} — including one whose evaluation fails, say a
 * missing attribute — does not match, as the Subscriptions API specifies.
 *
 * <p>The SDK matches {@code LIKE} with a backtracking regex, exponential in the number of wildcards.
 * So every {@code x [NOT] LIKE 'p'} is rewritten, on the SDK's own parse tree, into
 * {@code ([NOT] HERALD_LIKE(x, n))}, a function registered in this filter's evaluation runtime that
 * runs the n-th pattern on a {@link LikePattern}: linear in the value. The SDK still parses, type-checks
 * and evaluates everything else; nothing of it is forked.
 */
record SqlFilter(String expression, Expression compiled, EvaluationRuntime runtime) implements Filter {

    static SqlFilter parse(String expression) {
        return parse(expression, SqlLimits.NONE);
    }

    static SqlFilter parse(String expression, SqlLimits limits) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidFilterException("sql: the expression is empty");
        }
        if (expression.length() > limits.maxLength()) {
            throw new InvalidFilterException("sql: the expression is " + expression.length()
                    + " characters long; the limit is " + limits.maxLength() + " (filters.sql-max-length)");
        }
        int parentheses = parenthesesDepth(expression);
        if (parentheses > limits.maxDepth()) {
            throw tooDeep(parentheses, limits);
        }
        try {
            Parser.parseDefault(expression); // the SDK's own error messages for what does not parse
        } catch (ParseException e) {
            throw new InvalidFilterException("sql: " + e.getMessage(), e);
        }
        Rewrite rewrite = new Rewrite();
        String rewritten = rewrite.text(tree(expression), 0);
        if (rewrite.depth > limits.maxDepth()) {
            throw tooDeep(rewrite.depth, limits);
        }
        int wildcards = rewrite.patterns.stream().mapToInt(LikePattern::wildcards).sum();
        if (wildcards > limits.maxWildcards()) {
            throw new InvalidFilterException("sql: the LIKE patterns hold " + wildcards
                    + " wildcards (% and _); the limit is " + limits.maxWildcards() + " (filters.sql-max-wildcards)");
        }
        try {
            return new SqlFilter(expression, Parser.parseDefault(rewritten), LikeFunction.runtime(rewrite.patterns));
        } catch (ParseException e) {
            throw new IllegalStateException("the rewritten expression does not parse: " + rewritten, e);
        }
    }

    private static InvalidFilterException tooDeep(int depth, SqlLimits limits) {
        return new InvalidFilterException("sql: the expression nests " + depth
                + " levels deep; the limit is " + limits.maxDepth() + " (filters.sql-max-depth)");
    }

    /** Deepest parenthesis nesting outside string literals, checked before the recursive parser runs. */
    private static int parenthesesDepth(String expression) {
        int depth = 0;
        int max = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                max = Math.max(max, ++depth);
            } else if (c == ')') {
                depth--;
            }
        }
        return max;
    }

    private static ParseTree tree(String expression) {
        CESQLParserLexer lexer = new CESQLParserLexer(
                new CaseChangingCharStream(CharStreams.fromString(expression), true));
        lexer.removeErrorListeners();
        CESQLParserParser parser = new CESQLParserParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        return parser.cesql();
    }

    /** Rebuilds the expression's text from its parse tree with every LIKE replaced, measuring depth. */
    private static final class Rewrite {
        final List<LikePattern> patterns = new ArrayList<>();
        int depth;

        String text(ParseTree node, int level) {
            if (node instanceof TerminalNode terminal) {
                return terminal.getSymbol().getType() == Token.EOF ? "" : terminal.getText();
            }
            // Grouping nests: parentheses and function arguments. A chain of operators nests in the tree
            // too, but the length limit already bounds it, and long OR chains are ordinary filters.
            int here = node instanceof CESQLParserParser.SubExpressionContext
                    || node instanceof CESQLParserParser.FunctionInvocationExpressionContext ? level + 1 : level;
            depth = Math.max(depth, here);
            if (node instanceof CESQLParserParser.FunctionInvocationExpressionContext call
                    && call.functionIdentifier().getText().equalsIgnoreCase(LikeFunction.NAME)) {
                throw new InvalidFilterException("sql: " + LikeFunction.NAME + " is not a CESQL function");
            }
            if (node instanceof CESQLParserParser.LikeExpressionContext like) {
                patterns.add(LikePattern.compile(literal(like.stringLiteral())));
                return "(" + (like.NOT() != null ? "NOT " : "") + LikeFunction.NAME + "("
                        + text(like.expression(), here) + ", " + (patterns.size() - 1) + "))";
            }
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < node.getChildCount(); i++) {
                parts.add(text(node.getChild(i), here));
            }
            return String.join(" ", parts);
        }

        private static String literal(CESQLParserParser.StringLiteralContext literal) {
            return literal.SQUOTED_STRING_LITERAL() != null
                    ? LiteralUtils.parseSQuotedStringLiteral(literal.SQUOTED_STRING_LITERAL())
                    : LiteralUtils.parseDQuotedStringLiteral(literal.DQUOTED_STRING_LITERAL());
        }
    }

    @Override
    public boolean matches(CloudEvent event) {
        Result result = compiled.evaluate(runtime, event);
        return !result.isFailed() && Boolean.TRUE.equals(result.value());
    }

    @Override
    public JsonNode toJson() {
        return FilterJson.MAPPER.createObjectNode().set("sql", TextNode.valueOf(expression));
    }

    @Override
    public String toString() {
        return "sql(" + expression + ")";
    }
}
