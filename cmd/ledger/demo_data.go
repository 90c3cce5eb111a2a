package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/interactionledger/ledger/domain"
)

// demoTopic is one kind of request customers bring, with phrases in
// Chinese and English.
type demoTopic struct {
	subject   string
	category  domain.TicketCategory
	domain    string
	skill     string
	openings  []string
	followUps []string
	replies   []string
}

func (t demoTopic) opening(rng *rand.Rand) string  { return t.openings[rng.IntN(len(t.openings))] }
func (t demoTopic) followUp(rng *rand.Rand) string { return t.followUps[rng.IntN(len(t.followUps))] }
func (t demoTopic) reply(rng *rand.Rand) string    { return t.replies[rng.IntN(len(t.replies))] }

var demoTopics = []demoTopic{
	{
		subject: "Bill higher than expected", category: domain.CategoryInquiry, domain: "billing", skill: "billing",
		openings: []string{
			"Hi, my bill this month is much higher than usual. Can you explain the charges?",
			"您好，我这个月的账单比平时高了很多，能帮我查一下吗？",
			"I was charged twice for the same order, order number 2026-1187.",
		},
		followUps: []string{"The amount is 389 yuan, usually it is about 120.", "好的，我等您的消息。", "Can you refund the difference?"},
		replies: []string{
			"Thank you for contacting us. I can see an international roaming charge on the 12th.",
			"您好，感谢您的耐心等待，我已经为您申请了退款，3-5个工作日到账。",
			"I have refunded the duplicate charge; you will see it within 5 working days.",
		},
	},
	{
		subject: "Internet keeps dropping", category: domain.CategoryFaultReport, domain: "broadband", skill: "technical",
		openings: []string{
			"My broadband has been disconnecting every few minutes since yesterday.",
			"家里的宽带从昨天开始一直断线，路由器的灯一直闪红色。",
			"The app says my router is offline but the lights are on.",
		},
		followUps: []string{"I already restarted the router twice.", "重启过了，还是不行。", "It happens mostly in the evening."},
		replies: []string{
			"Thanks for the details. I have run a line test and scheduled an engineer visit.",
			"您好，我们检测到您所在小区的线路有故障，工程师正在抢修。",
			"Please try a factory reset of the router; I will stay on the line.",
		},
	},
	{
		subject: "Complaint about engineer visit", category: domain.CategoryComplaint, domain: "field-service", skill: "complaints",
		openings: []string{
			"The engineer did not show up for the appointment and nobody called me. Very disappointed.",
			"安装师傅约好了上午来，等了一整天都没人来，太不负责任了！",
			"This is the third time I am calling about the same problem. I want to file a complaint.",
		},
		followUps: []string{"I took a day off work for this.", "我要求赔偿。", "Please make sure this does not happen again."},
		replies: []string{
			"I am very sorry about this. I have escalated it to the field service manager.",
			"非常抱歉给您带来不便，我已经记录您的投诉，主管会在24小时内联系您。",
			"I apologise. I have booked a priority visit for tomorrow morning and added a credit to your account.",
		},
	},
	{
		subject: "Change of plan", category: domain.CategoryInquiry, domain: "sales", skill: "sales",
		openings: []string{
			"I would like to upgrade to the 500M plan. What does it cost?",
			"请问现在有什么优惠套餐吗？我想换一个流量多一点的。",
			"Can I add a second SIM card to my family plan?",
		},
		followUps: []string{"Does it include the TV box?", "那合约期是多久？", "OK, please go ahead."},
		replies: []string{
			"The 500M plan is 199 yuan per month with a 12-month contract; I can switch you today.",
			"您好，目前有一个融合套餐，每月129元，包含100G流量和宽带。",
			"Yes, a second SIM is 20 yuan per month. I have sent the order confirmation by SMS.",
		},
	},
	{
		subject: "Suggestion for the app", category: domain.CategorySuggestion, domain: "digital", skill: "general",
		openings: []string{
			"It would be great if the app showed my data usage per day.",
			"建议APP增加电子发票下载功能。",
			"Please add dark mode to the app.",
		},
		followUps: []string{"Thanks!", "谢谢。", "When will it be available?"},
		replies: []string{
			"Thank you for the suggestion; I have passed it to our product team.",
			"感谢您的宝贵建议，我们已经转交给产品部门。",
			"Great idea, thank you. I have logged it for the next app release planning.",
		},
	},
}

var demoNotes = []string{
	"Customer called twice before about this; see the linked interactions.",
	"已核实客户身份，账户无欠费。",
	"Line test shows high attenuation on the last mile.",
	"VIP customer: keep the supervisor informed.",
}

var demoDepartments = []string{"Network Operations", "Billing", "Field Service", "Product"}

// demoChannelMix weights channels by how often customers switch to them.
var demoChannelMix = []domain.Channel{
	domain.ChannelPhone, domain.ChannelPhone, domain.ChannelWeChat, domain.ChannelWeChat,
	domain.ChannelWebchat, domain.ChannelEmail, domain.ChannelSMS, domain.ChannelApp,
}

var (
	demoSurnames   = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Smith", "Garcia", "Müller", "Tanaka"}
	demoGiven      = []string{"Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Jun", "Anna", "James", "Maria", "Lukas", "Yuki"}
	demoChineseFam = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵"}
	demoChineseGiv = []string{"伟", "芳", "敏", "静", "磊", "燕", "军", "洋"}
	demoTeams      = []string{"Tier 1", "Technical", "Retention", "Billing"}
	demoSkills     = []string{"billing", "technical", "complaints", "sales", "general"}
)

func makeDemoAgents(rng *rand.Rand, n int) []demoAgent {
	agents := make([]demoAgent, n)
	for i := range agents {
		skills := map[string]int{"general": 5 + rng.IntN(5)}
		for _, s := range demoSkills {
			if rng.IntN(100) < 45 {
				skills[s] = 1 + rng.IntN(10)
			}
		}
		agents[i] = demoAgent{
			id:     fmt.Sprintf("agent-%03d", i+1),
			name:   demoSurnames[rng.IntN(len(demoSurnames))] + " " + demoGiven[rng.IntN(len(demoGiven))],
			team:   demoTeams[i%len(demoTeams)],
			skills: skills,
		}
	}
	return agents
}

func makeDemoCustomer(rng *rand.Rand, i int) *demoCustomer {
	name := demoChineseFam[rng.IntN(len(demoChineseFam))] + demoChineseGiv[rng.IntN(len(demoChineseGiv))]
	if rng.IntN(100) < 40 {
		name = demoGiven[rng.IntN(len(demoGiven))] + " " + demoSurnames[rng.IntN(len(demoSurnames))]
	}
	tier := domain.TierStandard
	switch r := rng.IntN(100); {
	case r < 3:
		tier = domain.TierVIP
	case r < 12:
		tier = domain.TierGold
	case r < 30:
		tier = domain.TierSilver
	}
	return &demoCustomer{
		index: i, name: name, tier: tier,
		preferred: demoChannelMix[rng.IntN(len(demoChannelMix))],
		linked:    map[domain.IdentityKind]bool{},
	}
}
