package dev.nn4j.bench;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The same network as DL4J's MultiLayerNetwork: dense ReLU layers, an identity output with MSE, plain SGD. */
final class Dl4jStep {
    final MultiLayerNetwork net;
    final DataSet data;
    final INDArray x;

    Dl4jStep(Sizes s) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(0)
                .dataType(DataType.FLOAT).updater(new Sgd(Sizes.LR)).list();
        int n = s.dims.length;
        for (int i = 0; i + 2 < n; i++) {
            list.layer(new DenseLayer.Builder().nIn(s.dims[i]).nOut(s.dims[i + 1]).activation(Activation.RELU).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(s.dims[n - 2]).nOut(s.dims[n - 1])
                .activation(Activation.IDENTITY).build());
        MultiLayerConfiguration conf = list.build();
        net = new MultiLayerNetwork(conf);
        net.init();
        x = Nd4j.rand(DataType.FLOAT, s.batch, s.dims[0]);
        data = new DataSet(x, Nd4j.rand(DataType.FLOAT, s.batch, s.dims[n - 1]));
    }

    void train() {
        net.fit(data);
    }

    INDArray infer() {
        return net.output(x, false);
    }
}
