// Benchmark cases A and B on ns-3: one bulk TCP flow over one point-to-point link.
//   bulk_link --rate=10Mbps --delay=10ms --loss=0 --bytes=100000000 --queue=100
// Matches scenarios/bench/a-bulk.json and b-lossy.json: loss, when given, is a RateErrorModel
// (per packet) on both devices, so both directions lose, as tcpsim's link-level "loss".
#include "bench_common.h"

using namespace ns3;

int main(int argc, char** argv) {
    std::string rate = "10Mbps", delay = "10ms";
    double loss = 0, stop_s = 1800;
    uint64_t bytes = 100000000;
    uint32_t queue = 100, seed_run = 1;
    CommandLine cmd;
    cmd.AddValue("rate", "link bandwidth", rate);
    cmd.AddValue("delay", "one-way delay", delay);
    cmd.AddValue("loss", "packet loss rate, each direction", loss);
    cmd.AddValue("bytes", "bytes to transfer", bytes);
    cmd.AddValue("queue", "drop-tail queue, packets", queue);
    cmd.AddValue("run", "RNG run number", seed_run);
    cmd.AddValue("stop", "simulated seconds at most", stop_s);
    cmd.Parse(argc, argv);
    RngSeedManager::SetRun(seed_run);
    bench::configure_tcp();

    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(rate));
    p2p.SetChannelAttribute("Delay", StringValue(delay));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize(std::to_string(queue) + "p")));
    NetDeviceContainer devices = p2p.Install(nodes);
    if (loss > 0) {
        for (uint32_t i = 0; i < 2; ++i) {
            Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
            em->SetAttribute("ErrorRate", DoubleValue(loss));
            em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
            devices.Get(i)->SetAttribute("ReceiveErrorModel", PointerValue(em));
        }
    }
    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addr("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devices);
    bench::remove_queue_discs();

    const uint16_t port = 5001;
    BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), port));
    source.SetAttribute("MaxBytes", UintegerValue(bytes));
    source.SetAttribute("SendSize", UintegerValue(64 * 1024));
    ApplicationContainer src = source.Install(nodes.Get(0));
    src.Start(Seconds(0));
    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), port));
    ApplicationContainer snk = sink.Install(nodes.Get(1));
    snk.Start(Seconds(0));

    bench::Flows flows(1, bytes);
    flows.watch(0, snk.Get(0));
    double wall = bench::run_timed(stop_s);
    flows.print(wall);
    Simulator::Destroy();
    return 0;
}
