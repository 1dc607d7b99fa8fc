// Starts DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDBLocal.jar has no host option: its Jetty server listens on every interface.
// This launcher (run in Java's single-file source mode against the jar's classpath)
// builds the server from the same command line, moves its connectors to the loopback
// address, then starts it. If this ever stops compiling against a newer jar, the local
// runtime refuses to start (saying why, and that --no-java uses moto): it never falls
// back to the plain jar, which would serve the local data to the network.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        int moved = 0;
        for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
            if (!Server.class.isAssignableFrom(field.getType())) {
                continue;
            }
            field.setAccessible(true);
            Server server = (Server) field.get(proxy);
            for (Connector connector : server.getConnectors()) {
                ((ServerConnector) connector).setHost("127.0.0.1");
                moved++;
            }
        }
        if (moved == 0) {
            System.err.println("LoopbackDynamoDBLocal: no Jetty connector found");
            System.exit(3);
        }
        proxy.start();
        proxy.join();
    }
}
