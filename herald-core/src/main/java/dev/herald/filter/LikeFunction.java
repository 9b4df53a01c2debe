package dev.herald.filter;

import io.cloudevents.CloudEvent;
import io.cloudevents.sql.EvaluationContext;
import io.cloudevents.sql.EvaluationRuntime;
import io.cloudevents.sql.Function;
import io.cloudevents.sql.Type;
import io.cloudevents.sql.impl.runtime.EvaluationResult;
import java.util.List;

/**
 * {@code HERALD_LIKE(value, n)}: whether {@code value} matches the n-th {@code LIKE} pattern of one
 * expression, on a {@link LikePattern}. {@link SqlFilter} rewrites {@code LIKE} into calls of it; the
 * SDK casts {@code value} to a string first, as it does for its own {@code LIKE}.
 */
final class LikeFunction implements Function {

    static final String NAME = "HERALD_LIKE";

    private final List<LikePattern> patterns;

    private LikeFunction(List<LikePattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** The SDK's default runtime (every built-in function) plus this function over these patterns. */
    static EvaluationRuntime runtime(List<LikePattern> patterns) {
        return EvaluationRuntime.builder().addFunction(new LikeFunction(patterns)).build();
    }

    @Override
    public EvaluationResult invoke(EvaluationContext context, EvaluationRuntime runtime, CloudEvent event,
                                   List<Object> arguments) {
        String value = (String) arguments.get(0);
        int index = (Integer) arguments.get(1);
        return new EvaluationResult(patterns.get(index).matches(value));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Type typeOfParameter(int i) {
        return switch (i) {
            case 0 -> Type.STRING;
            case 1 -> Type.INTEGER;
            default -> throw new IllegalArgumentException(NAME + " takes 2 arguments, not " + (i + 1));
        };
    }

    @Override
    public Type returnType() {
        return Type.BOOLEAN;
    }

    @Override
    public int arity() {
        return 2;
    }

    @Override
    public boolean isVariadic() {
        return false;
    }
}
