"""The guardrails eval: attacks grouped by technique must be blocked, benign requests (hard negatives included) must not."""

from tools.guard.training_data import SEALED

SETS = (
    "suite",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
    "heldout15",
    "heldout16",
    "heldout17",
    "heldout18",
    "heldout19",
    "heldout20",
    "heldout21",
    "heldout22",
    "heldout23",
    "heldout24",
    "heldout25",
    "heldout26",
    "heldout27",
    "heldout28",
    "heldout29",
    "heldout30",
    "heldout31",
    "heldout32",
    "heldout33",
    "heldout34",
    "heldout35",
    "heldout36",
    "heldout37",
    "heldout38",
    "heldout39",
    "heldout40",
    "heldout41",
    "heldout42",
    "heldout43",
    "heldout44",
    "heldout45",
)
# Held-out sets no training has read yet (a unit test checks the learned layer's data against them). Each is
# written apart from the code, the rules and the training data, scored once (the report is kept under
# first_runs/), and then joins the learned layer's training data (tools.guard.training_data.SEALED lists the
# sets not yet joined): a new author's style is what the next set's author will write in. heldout6-heldout18
# joined so, then heldout19 to heldout22 one by one; measured one set left out at a time (python -m tools.guard.leave_one_out), training
# on the others lifted a set's detection from 0.892 to 0.958 at about the same false positives (0.034, 0.036).
#
# How the sets came to be (before they joined the training data):
# Held-out sets no training has read (a unit test checks the learned layer's data against them). The
# earlier four became development sets once rules and bank rows were written for their misses; heldout7
# was written by someone who never saw the rules or the training data, and its first run is kept in
# first_runs/ (six of its lines too close to training rows were left out before that run); heldout8 the same
# way, by another author, after the training data of this round was fixed (one line left out); heldout9 after
# the public jailbreaks joined the training data (five lines left out). After their first runs, lines that a
# later round's training rows came too close to are left out too (each variant of a seed text now draws its
# own frames, so adding seeds no longer reshuffles the others): one of heldout7's, two of heldout9's.
# heldout10 after the requests in other languages joined the training data (six short lines left out);
# heldout11 after the hex reading and the round's last rows (three short lines left out); heldout12, in the
# manner of chat logs and public safety benchmarks, after AdvBench's requests joined the training data (three
# attacks and three harmless lines left out); heldout13, messages typed into a company's internal assistant and
# a consumer app (pasted emails, logs and tickets, mixed languages, paraphrased attacks without stock phrases),
# after the fine-tuned-encoder trial (two harmless lines left out). The whole requests and harmless data of
# the next round (rules/harm_requests.yaml, pasted_sentences.yaml) were written from the kinds of heldout13's
# misses, none of its texts: heldout13 is a development set since. heldout14, messages to a bank's or a
# telecom's support bot, a coding assistant, a study helper and an assistant for people writing in a second
# language, after that data (three harmless lines left out); the requests in other languages added after its
# run were written from the kinds of its misses, so it is a development set since. heldout15, messages to a
# travel, an HR, a hospital, a game-companion and a tenancy-forms assistant, after this round's rules, lexicon of
# other languages and help-seeking cap (written from heldout13's and heldout14's misses). heldout16, messages
# to a bank's customer chat, a school homework helper, an estate agent's listings assistant, a grocery-delivery
# app and a developer-docs assistant, with no change to the guard since heldout15's first run but its
# "never stop" rule. heldout17, messages to a car insurer's claims assistant, a university admissions chatbot, a
# pharmacy's help desk, a smart-home support bot and a charity's volunteer assistant, after the rules written
# from heldout16's misses. heldout18, messages to a gym app, a city council's services bot, a phone network's
# support chat, a legal-aid intake assistant, a veterinary triage bot, a museum guide, a wedding planner and a
# recipe site, after the persona-trait, bulk-records and concealment checks (three attacks and two harmless lines
# left out). heldout19, messages to an airline's check-in assistant, an online bookshop, a children's maths-tutoring
# app, a payroll help desk, a solar installer's quote bot, a driving school, a newspaper's subscriber support, a
# dating app's safety assistant, a cryptocurrency exchange, a plumbing call-out service, a university library and
# a football club's website, after heldout6-heldout18 joined the training data (five attacks and seven harmless
# lines left out); it joined the training data when heldout20 was written. heldout20, messages to a hotel chain's
# booking assistant, an electricity supplier's account bot, a car dealership's sales chat, a clothing shop's
# returns helper, a school's parent portal, a podcast host's support, a tax-return helper, a garden centre's
# plant-care bot, a courier's tracking assistant, a language-learning app, a cinema chain and a games console
# maker's support, after heldout19 joined the training data (two attacks and four harmless lines left out); it
# joined the training data when heldout21 was written. heldout21, messages to a ski resort, a mortgage broker, a
# fitness-tracker coach, a dental chain's receptionist, a furniture shop, a parking app, a theatre box office, a
# food delivery app, a recruitment agency, a bike hire scheme, a pension provider, a children's coding club, a
# removals firm, a campsite and a funeral director, after heldout20 joined the training data (nine attacks and
# nine harmless lines left out); it joined the training data when heldout22 was written. heldout22, messages to a
# wedding venue, a language school, an airport lounge, a solar panel installer, a tattoo studio, a council's waste
# collection, a pharmacy chain, an escape room, a boat rental yard, a car-charging network, an opticians, a student
# housing provider, a pet insurer, a hotel chain and a car dealership, after heldout21 joined the training data
# (three attacks and three harmless lines left out); it joined the training data when heldout23 was written.
# heldout23, messages to a zoo, a car wash chain, a yoga studio, a print shop, a water utility, a bus company, a
# children's nursery, an accountancy firm, a bakery chain, a craft supplies shop, a rail ticket office, a housing
# association, a skate park, a laundrette and a computer repair shop, after heldout22 joined the training data
# (six attacks and two harmless lines left out); it joined the training data when heldout24 was written.
# heldout24, messages to a florist, a plumber, a driving school, a hairdresser, a museum, a travel agent, a courier
# service, a music venue, a cinema chain, a bookshop, a ferry operator, an electrician, a cleaning company, a
# window fitter and a taxi firm, after heldout23 joined the training data (six attacks and three harmless lines
# left out); it joined the training data when heldout25 was written. heldout25, messages to a pub chain, a dry
# cleaner, a garden landscaper, a photography studio, a swimming school, a locksmith, a pet groomer, a music shop,
# a kitchen fitter, a care home, a hostel, a farm shop, a golf club, a roofing company and a sports shop, after
# heldout24 joined the training data (eight attacks and five harmless lines left out); it joined the training data
# when heldout26 was written. heldout26, messages to an art gallery, a bowling alley, a tool hire shop, a beekeeping
# supplier, a piano tuner, a charity shop, a comic shop, a trampoline park, a caravan dealer, a sailing club, a
# clothing alterations shop, a model railway shop, an ice rink, a vineyard and a hearing-aid clinic, after heldout25
# joined the training data (eight attacks and three harmless lines left out); it joined the training data when
# heldout27 was written. heldout27, messages to a surf school, a campervan hire firm, a fishing tackle shop, a soft
# play centre, an antiques dealer, a chimney sweep, a bridal shop, a bicycle repair shop, a pottery studio, a dog
# trainer, a phone repair kiosk, a paintball centre, a greengrocer, a stately home and a golf driving range, after
# heldout26 joined the training data (ten attacks and eight harmless lines left out); it joined the training data
# when heldout28 was written. heldout28, messages to a garage door installer, a scuba diving centre, a wedding cake
# bakery, a motorbike dealer, a kennel club, a climbing wall, a second-hand bookshop, a boiler repair firm, a student
# travel agency, a craft brewery, a planetarium, a martial arts school, a nail salon, an allotment society and a
# riding stables, after heldout27 joined the training data (five attacks and nine harmless lines left out); it
# joined the training data when heldout29 was written. heldout29, messages to a toy shop, a window blinds company, a
# vintage clothing store, a tennis club, a cheese shop, a dog walking service, a home brewing supplier, an opera
# house, a scaffolding firm, a skip hire company, a hot tub retailer, a camera shop, a youth hostel association, a
# coffee roastery and a pest control service, after heldout28 joined the training data (five attacks and five
# harmless lines left out); it joined the training data when heldout30 was written. heldout30, messages to a
# florist, a locksmith, a funeral director, an optician, a launderette, an aquarium shop, an escape room, a wedding
# photographer, a tattoo studio, a mobile hairdresser, a window cleaner, a kayak hire, a cookery school, a print
# shop and a removals company, after heldout29 joined the training data (two attacks and four harmless lines left
# out); it joined the training data when heldout31 was written. heldout31, messages to a farm shop, a sewing-machine
# repairer, a yoga retreat, a music tuition school, a cattery, a ski and snowboard shop, a bookbinder, an organic veg
# box delivery, an e-scooter hire scheme, a pub quiz league, a sign maker, a carpet cleaner, a conservatory builder,
# a garden designer and a pharmacy, after heldout30 joined the training data (five attacks and one harmless line
# left out); it joined the training data when heldout32 was written. heldout32, messages to a mobile mechanic, a
# barn wedding venue, a children's dance school, a tile shop, a canal boat hire, a pet crematorium, a vape shop, a
# cycle courier firm, a photocopier leasing company, a holiday cottage agency, a fencing contractor, a bridal hair
# and make-up artist, a furniture charity, a night club and a private GP clinic, after heldout31 joined the
# training data (three attacks and two harmless lines left out); it joined the training data when heldout33 was
# written. heldout33, messages to a dog groomer, a piano tuner, a scaffolding firm, an artisan bakery, a language
# school, a campsite, a jeweller, a golf driving range, an upholsterer, a chimney sweep, a community theatre, a plant
# nursery, a bicycle repair workshop, a student removals and storage depot and a podiatry clinic, after heldout32
# joined the training data (five attacks and five harmless lines left out); it joined the training data when
# heldout34 was written. heldout34, messages to a wine merchant, a pottery studio, a dry cleaner, a taxi firm, a
# bridal shop, a model railway shop, a skip hire firm, a beekeeping supplier, an allotment society, a karate club, a
# computer repair shop, a hearing aid centre, a flooring fitter, a caravan storage yard and a sailing school, after
# heldout33 joined the training data (seven attacks and four harmless lines left out); it joined the training data
# when heldout35 was written. heldout35, messages to a motorhome rental firm, a bike-fitting studio, a hot tub
# supplier, a tutoring agency, a cheese shop, a glazier, a riding stables, a recording studio, a soft play centre, a
# kitchen fitter, a phone repair kiosk, a vintage car hire firm, an accountant, a stonemason and a boxing gym, after
# heldout34 joined the training data and the scored sets' long attacks left it (five attacks and two harmless lines
# left out); it joined the training data when heldout36 was written. heldout36, messages to a garden room builder, a
# family law solicitor, a coffee van, a craft brewery taproom, a mobility scooter shop, a falconry centre, a
# trampoline park, a sheet music shop, a septic tank service, a ghost-walk tour company, a knitting shop, a fishing
# tackle shop, a home care agency, a bouncy castle hire and a surf school, after heldout35 joined the training data
# (six attacks and six harmless lines left out); it joined the training data when heldout37 was written. heldout37,
# messages to an ice cream parlour, a tree surgeon, a mobile DJ, a crazy golf course, a pawnbroker, a drone
# photography firm, a gutter cleaning firm, a board-game café, a fireworks shop, a wig shop, a tyre fitter, a wedding
# car hire firm, a reptile shop, a laser tag arena and a lighthouse museum, after heldout36 joined the training data
# (six attacks and three harmless lines left out); it joined the training data when heldout38 was written.
# heldout38, messages to a sauna and cold-plunge club, a body piercing studio, a public aquarium, a timber merchant, a
# pet portrait artist, a minibus hire firm, a cake decorating supplies shop, a roller rink, a community radio
# station, a chess club, a custom PC builder, a tea room, a boat engine mechanic, an alpaca farm and a hearing-dog
# charity, after heldout37 joined the training data (seven attacks and ten harmless lines left out); it joined the
# training data when heldout39 was written. heldout39, messages to a tattoo removal clinic, a dog daycare, a vending
# machine supplier, a greeting card shop, a fishing boat charter, a cryotherapy clinic, a garden shed maker, a pool
# cleaning service, a kite shop, a sewing pattern publisher, a stained glass studio, a lock-up garage rental firm, a
# marathon organiser, a village post office and a children's magician, after heldout38 joined the training data
# (ten attacks and three harmless lines left out); it joined the training data when heldout40 was written. heldout40,
# messages to a paddleboard hire, a beauty salon, a funfair ride operator, a handyman service, a pick-your-own fruit
# farm, a puppet theatre, a jet-ski hire, a lawn care company, a hat shop, a mobile bar hire firm, a coin dealer, a
# bowls club, a hovercraft experience, a clock repairer and a mushroom farm, after heldout39 joined the training data
# (eleven attacks and nine harmless lines left out); it joined the training data when heldout41 was written.
# heldout41, messages to a car boot sale organiser, a sailmaker, a dry stone waller, a goat yoga farm, a cobbler, a
# canal museum, a calligraphy studio, a ferret rescue, a model aircraft club, a soap maker, a vintage arcade, a dog
# hydrotherapy pool, an ice sculpture studio, a wheelie bin cleaning service and a bell foundry, after heldout40 joined
# the training data (twelve attacks and three harmless lines left out); it joined the training data when heldout42
# was written. heldout42, messages to fifteen small businesses the writer chose (none of a kind used before), its
# other-language attacks in Kinyarwanda, Burmese, Galician, Sinhala, Uzbek and Assamese, which the language packs
# cover (drawn at random from the 24 packs new that round), and in Lingala and Maori, which nothing covers, after
# heldout41 and 52 language packs joined the training data (six attacks left out); it joined the training data
# when heldout43 was written. heldout43, messages to fifteen more small businesses, its other-language attacks in
# Tajik, Cebuano, Oromo, Sundanese, Esperanto and Kyrgyz (packs, drawn at random from the 18 new ones heldout42 had
# not used) and in Sindhi and Tibetan (nothing covers them), after heldout42, ten more packs (Lingala, Maori,
# Wolof, Quechua, Samoan, Chichewa, Setswana, Akan, Yiddish, Dhivehi) and twelve more harmless rows in each of
# the 52 joined the training data (seven attacks and four harmless lines left out); it joined the training data
# when heldout44 was written. heldout44, messages to a taxidermist, a genealogy researcher, a sign-language
# interpreting agency, a land surveyor, an architecture practice, a lift maintenance firm, a blacksmith's forge, a
# trophy engraver, a fossil shop, a go-kart track, a private investigator, a perfumery, a first-aid trainer, a
# co-working space and a bushcraft school, its other-language attacks in Turkmen, Hausa, Basque, Bosnian, Lingala and
# Slovak (packs, drawn at random from the 50 no set had used) and in Fijian and Bashkir (nothing covers them), after
# heldout43 joined the training data (ten attacks and one harmless line left out); it joined the training data
# when heldout45 was written. heldout45, messages to a skydiving centre, a knife sharpener, a document shredding
# firm, a tarot reader, a bingo hall, a demolition contractor, a show cave, a TV aerial installer, a circus school, a
# damp-proofing firm, a borehole driller, a visa agency, a fire extinguisher servicer, a butcher and a picture
# framer, its other-language attacks in Xhosa, Akan, Belarusian, Catalan, Latvian and Javanese (packs, drawn at random
# from the 44 no set had used) and in Latin and West Frisian (nothing covers them), after heldout44 joined the
# training data (three attacks and one harmless line left out).
UNSEEN = SEALED
