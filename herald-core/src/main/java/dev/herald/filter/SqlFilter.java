package dev.herald.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.sql.Expression;
import io.cloudevents.sql.ParseException;
import io.cloudevents.sql.Parser;
import io.cloudevents.sql.Result;

/**
 * The {@code sql} dialect: a CESQL v1 expression evaluated by the CloudEvents SDK's engine. An
 * expression that does not evaluate to {@code true} — including one whose evaluation fails, say a
 * missing attribute — does not match, as the Subscriptions API specifies.
 */
record SqlFilter(String expression, Expression compiled) implements Filter {

    static SqlFilter parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidFilterException("sql: the expression is empty");
        }
        try {
            return new SqlFilter(expression, Parser.parseDefault(expression));
        } catch (ParseException e) {
            throw new InvalidFilterException("sql: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean matches(CloudEvent event) {
        Result result = compiled.evaluate(event);
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
