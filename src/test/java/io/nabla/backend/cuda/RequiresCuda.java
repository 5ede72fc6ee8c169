package io.nabla.backend.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where CUDA is usable (the bindings load and a device is present); elsewhere every test is
 * skipped with "no CUDA device: " and the reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Condition.class)
public @interface RequiresCuda {

    /** The JUnit condition behind {@link RequiresCuda}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return CudaRuntime.available()
                    ? ConditionEvaluationResult.enabled("CUDA " + CudaRuntime.status())
                    : ConditionEvaluationResult.disabled("no CUDA device: " + CudaRuntime.status());
        }
    }
}
