package outbound

import "sync"

// lanes runs jobs one at a time per key (an interaction), so a customer
// gets replies in the order agents sent them, while different keys run
// concurrently. A key's goroutine lives only while it has work.
type lanes struct {
	mu     sync.Mutex
	queues map[string][]Delivery
	wg     sync.WaitGroup
	run    func(Delivery)
}

func newLanes(run func(Delivery)) *lanes {
	return &lanes{queues: map[string][]Delivery{}, run: run}
}

// add queues job on its interaction's lane, starting the lane if idle.
func (l *lanes) add(job Delivery) {
	key := job.InteractionID
	l.mu.Lock()
	q, busy := l.queues[key]
	l.queues[key] = append(q, job)
	l.mu.Unlock()
	if !busy {
		l.wg.Add(1)
		go l.drain(key)
	}
}

func (l *lanes) drain(key string) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		q := l.queues[key]
		if len(q) == 0 {
			delete(l.queues, key)
			l.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = Delivery{} // let the text be collected
		l.queues[key] = q[1:]
		l.mu.Unlock()
		l.run(job)
	}
}

// wait blocks until every lane is idle.
func (l *lanes) wait() { l.wg.Wait() }
