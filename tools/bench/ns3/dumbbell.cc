// Benchmark case C on ns-3: N bulk TCP flows through a dumbbell, sender i to receiver i.
//   dumbbell --pairs=100 --bytes=10000000 --bottleneck=1Gbps --delay=10ms --queue=2000
// Matches scenarios/bench/c-dumbbell.json: access links 10 Gbit/s, 1 ms, 10000-packet queues;
// the bottleneck's drop-tail queue is one BDP (2000 packets: 1 Gbit/s x 24 ms / 1500 bytes).
#include "bench_common.h"
#include "ns3/point-to-point-layout-module.h"

using namespace ns3;

int main(int argc, char** argv) {
    uint32_t pairs = 100, queue = 2000, access_queue = 10000, seed_run = 1;
    uint64_t bytes = 10000000;
    std::string bottleneck_rate = "1Gbps", bottleneck_delay = "10ms", access_rate = "10Gbps", access_delay = "1ms";
    double stop_s = 300;
    CommandLine cmd;
    cmd.AddValue("pairs", "sender/receiver pairs (one flow each)", pairs);
    cmd.AddValue("bytes", "bytes per flow", bytes);
    cmd.AddValue("bottleneck", "bottleneck bandwidth", bottleneck_rate);
    cmd.AddValue("delay", "bottleneck one-way delay", bottleneck_delay);
    cmd.AddValue("queue", "bottleneck drop-tail queue, packets", queue);
    cmd.AddValue("run", "RNG run number", seed_run);
    cmd.AddValue("stop", "simulated seconds at most", stop_s);
    cmd.Parse(argc, argv);
    RngSeedManager::SetRun(seed_run);
    bench::configure_tcp();

    PointToPointHelper access, neck;
    access.SetDeviceAttribute("DataRate", StringValue(access_rate));
    access.SetChannelAttribute("Delay", StringValue(access_delay));
    access.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                    QueueSizeValue(QueueSize(std::to_string(access_queue) + "p")));
    neck.SetDeviceAttribute("DataRate", StringValue(bottleneck_rate));
    neck.SetChannelAttribute("Delay", StringValue(bottleneck_delay));
    neck.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize(std::to_string(queue) + "p")));
    PointToPointDumbbellHelper d(pairs, access, pairs, access, neck);
    InternetStackHelper stack;
    d.InstallStack(stack);
    d.AssignIpv4Addresses(Ipv4AddressHelper("10.1.0.0", "255.255.255.0"), Ipv4AddressHelper("10.2.0.0", "255.255.255.0"),
                          Ipv4AddressHelper("10.3.0.0", "255.255.255.0"));
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    bench::remove_queue_discs();

    const uint16_t port = 5001;
    bench::Flows flows(pairs, bytes);
    for (uint32_t i = 0; i < pairs; ++i) {
        BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress(d.GetRightIpv4Address(i), port));
        source.SetAttribute("MaxBytes", UintegerValue(bytes));
        source.SetAttribute("SendSize", UintegerValue(64 * 1024));
        ApplicationContainer src = source.Install(d.GetLeft(i));
        src.Start(Seconds(0));
        PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
        ApplicationContainer snk = sink.Install(d.GetRight(i));
        snk.Start(Seconds(0));
        flows.watch(i, snk.Get(0));
    }
    double wall = bench::run_timed(stop_s);
    flows.print(wall);
    Simulator::Destroy();
    return 0;
}
