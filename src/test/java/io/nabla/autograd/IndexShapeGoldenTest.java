package io.nabla.autograd;

import io.nabla.golden.Golden;
import io.nabla.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of {@code index_shape.json}: views, joins, splits and index ops against PyTorch, forward and backward. */
class IndexShapeGoldenTest {

    @TestFactory
    Stream<DynamicTest> indexShape() {
        Map<String, Golden.Op> ops = new HashMap<>();
        ops.put("reshape", Golden.one(c -> ShapeOps.reshape(c.in("input"), c.ints("shape"))));
        ops.put("transpose", Golden.one(c -> ShapeOps.transpose(c.in("input"), c.i("dim0"), c.i("dim1"))));
        ops.put("permute", Golden.one(c -> ShapeOps.permute(c.in("input"), c.ints("dims"))));
        ops.put("expand", Golden.one(c -> ShapeOps.expand(c.in("input"), c.ints("size"))));
        ops.put("expand_sum", Golden.one(c -> ReduceOps.sum(ShapeOps.expand(c.in("input"), c.ints("size")),
                c.ints("dim"), false)));
        ops.put("narrow", Golden.one(c -> ShapeOps.narrow(c.in("input"), c.i("dim"), c.i("start"), c.i("length"))));
        ops.put("slice", Golden.one(c -> ShapeOps.slice(c.in("input"), c.i("dim"), c.i("start"), c.i("end"),
                c.i("step"))));
        ops.put("squeeze", Golden.one(c -> c.has("dim") ? ShapeOps.squeeze(c.in("input"), c.i("dim"))
                : ShapeOps.squeeze(c.in("input"))));
        ops.put("unsqueeze", Golden.one(c -> ShapeOps.unsqueeze(c.in("input"), c.i("dim"))));
        ops.put("transpose_contiguous", Golden.one(c -> ShapeOps.contiguous(
                ShapeOps.transpose(c.in("input"), c.i("dim0"), c.i("dim1")))));
        ops.put("permute_contiguous", Golden.one(c -> ShapeOps.contiguous(
                ShapeOps.permute(c.in("input"), c.ints("dims")))));
        ops.put("cat", Golden.one(c -> JoinOps.cat(c.list(), c.i("dim"))));
        ops.put("stack", Golden.one(c -> JoinOps.stack(c.list(), c.i("dim"))));
        ops.put("split", c -> pieces(c.args().get("split_size_or_sections").isNumber()
                ? JoinOps.split(c.in("input"), c.i("split_size_or_sections"), c.i("dim"))
                : JoinOps.split(c.in("input"), c.ints("split_size_or_sections"), c.i("dim"))));
        ops.put("chunk", c -> pieces(JoinOps.chunk(c.in("input"), c.i("chunks"), c.i("dim"))));
        ops.put("gather", Golden.one(c -> IndexOps.gather(c.in("input"), c.i("dim"), c.in("index"))));
        ops.put("index_select", Golden.one(c -> IndexOps.indexSelect(c.in("input"), c.i("dim"), c.in("index"))));
        ops.put("scatter_add", Golden.one(c -> IndexOps.scatterAdd(c.in("input"), c.i("dim"), c.in("index"),
                c.in("src"))));
        ops.put("embedding", Golden.one(c -> IndexOps.embedding(c.in("input"), c.in("weight"),
                c.has("padding_idx") ? c.i("padding_idx") : null)));
        ops.put("masked_fill", Golden.one(c -> IndexOps.maskedFill(c.in("input"), c.in("mask"), c.d("value"))));
        ops.put("cumsum", Golden.one(c -> OrderOps.cumsum(c.in("input"), c.i("dim"))));
        ops.put("flip", Golden.one(c -> OrderOps.flip(c.in("input"), c.ints("dims"))));
        return Golden.tests("index_shape.json", ops);
    }

    private static Tensor[] pieces(List<Tensor> parts) {
        return parts.toArray(new Tensor[0]);
    }
}
